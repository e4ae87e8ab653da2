/**
 * How main.ts loads a command: the native accelerator (../node/native.js, before any command
 * runs, not for --help), then ./commands/<name>.js. This is the loader of the sources and of
 * tsc's output; the bundled CLI (scripts/bundle-cli.mjs) replaces it with
 * bundled-command-loader.ts, which loads the same two modules from one CommonJS bundle.
 */
export interface CommandModule {
  run(args: string[]): Promise<number>;
}

export async function loadCommand(name: string): Promise<CommandModule> {
  await import('../node/native.js');
  return (await import(`./commands/${name}.js`)) as CommandModule;
}
