// The CLI's frame on commander: the program and its global flags, how a verb's action receives its
// arguments, and how commander's parse errors become TITAN_E_USAGE errors that name the verb's help.
import { Command, CommanderError } from 'commander';
import { TitanError } from '../common/errors.ts';
import type { Out } from './output.ts';

export type Args = { positionals: string[]; values: Record<string, string | string[] | boolean | undefined>; out: Out };
export type Handler = (args: Args) => Promise<number>;

// The exit code of the action that ran; commander ignores what an action returns.
let exitCode = 0;

export function createProgram(version: string): Command {
  return (
    new Command('titan')
      .description('the Titan agent engine')
      .version(version, '-V, --version', 'print the version')
      .option('--json', 'print JSON instead of text (errors too)')
      // Inherited by every verb registered after this (commander copies these settings on .command()).
      .exitOverride()
      .configureOutput({ outputError: () => {} })
      .showSuggestionAfterError(true)
      .configureHelp({ showGlobalOptions: true })
      .helpCommand('help [verb]', "show a verb's flags and examples")
      .addHelpText(
        'after',
        "\nEvery command takes --json. State lives in $TITAN_HOME (default ~/.titan).\nRun `titan help VERB` for a verb's flags and examples.",
      )
  );
}

/** The action of `cmd`: its parsed arguments (after `prefix`, e.g. the subverb) and options, handed to `handler`. */
export function act(cmd: Command, handler: Handler, prefix: string[] = []): Command {
  return cmd.action(async () => {
    const positionals = [...prefix, ...cmd.processedArgs.flat().filter((a): a is string => typeof a === 'string')];
    const values = cmd.optsWithGlobals() as Args['values'];
    exitCode = await handler({ positionals, values, out: { json: values.json === true } });
  });
}

/** A verb's examples, shown under its --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

/** The verbs named on the command line that exist in the program (`registry list` in `titan --json registry list x`). */
export function commandPath(program: Command, argv: string[]): Command[] {
  const path: Command[] = [];
  let at = program;
  for (const word of argv) {
    if (word === '--') break;
    if (word.startsWith('-')) continue;
    const next = at.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) break;
    path.push(next);
    at = next;
  }
  return path;
}

/** Runs the program on argv: the exit code of the verb, or of what commander refused, as a TitanError. */
export async function run(program: Command, argv: string[]): Promise<number> {
  exitCode = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return 0; // --help, --version
    // A verb given without its subverb: commander printed that verb's help (on stderr).
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return 2;
    throw usageError(program, argv, error);
  }
}

function usageError(program: Command, argv: string[], error: CommanderError): TitanError {
  const path = commandPath(program, argv).map((c) => c.name());
  const where = path.length ? `titan ${path.join(' ')}` : 'titan';
  const fix = `run \`${where} --help\` for its ${path.length ? 'flags and examples' : 'commands'}`;
  let message = error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)');
  if (error.code === 'commander.unknownCommand') {
    const word = /unknown command '([^']*)'/.exec(error.message)?.[1] ?? '';
    const suggestion = /Did you mean (.+)\?/.exec(error.message)?.[1];
    const parent = path.length ? commandPath(program, argv).at(-1)! : program;
    const verbs = parent.commands.map((c) => c.name()).filter((n) => n !== 'help');
    message = `unknown ${path.length ? `${path.join(' ')} verb` : 'command'} "${word}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; the ${path.length ? 'verbs' : 'commands'}: ${verbs.join(', ')}`;
  }
  return new TitanError('TITAN_E_USAGE', message, { fix });
}
