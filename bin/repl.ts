// The terminal channel: type a message, watch the answer stream in, see tools run with their
// output live, answer approvals with y/n. /interrupt (or Ctrl-C during a turn) stops a turn;
// /threads, /new and /help do what they say; /kernel works the patch queue (bin/kernel-commands.ts); /quit leaves.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { describeError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import type { Agent, TurnEvent } from '../agent/api.ts';
import { KERNEL_HELP, kernelCommand, localDesk } from './kernel-commands.ts';

export type ReplOptions = { kernel: Kernel; agent: Agent; userId: string; input: Readable; output: Writable; color?: boolean };

const HELP =
  'commands: /new (new thread), /threads (list them), /onboard profile (show or redo what Titan knows of you), /interrupt (stop the running turn; Ctrl-C too), /reflex (reflexes; /reflex model asks the model instead of the last reflex answer), /kernel (patches; /kernel help), /help, /quit';
const REFLEX_HELP = '/reflex: list the reflexes; /reflex model: ask the model instead of the last reflex or cached answer; /reflex suspend|resume NAME';

export class Repl {
  readonly #options: ReplOptions;
  readonly #rl: readline.Interface;
  #threadId: string | undefined;
  #turnId: string | undefined;
  #approval: { id: string; name: string } | undefined;
  /** A /kernel question waiting for y/n. */
  #confirming: ((yes: boolean) => void) | undefined;
  #atLineStart = true;
  /** The last turn a reflex or the shadow cache answered, for /reflex model. */
  #lastFast: string | undefined;
  readonly closed: Promise<void>;

  constructor(options: ReplOptions) {
    this.#options = options;
    this.#rl = readline.createInterface({ input: options.input, output: options.output, terminal: options.color ?? false, prompt: '> ' });
    options.kernel.bus.on('turn.event', (event) => this.#show(event));
    this.#rl.on('line', (line) => void this.#handle(line.trim()).catch((error: unknown) => this.#say(describeError(error))));
    this.#rl.on('SIGINT', () => {
      if (this.#turnId) this.#interrupt();
      else this.#rl.close();
    });
    this.closed = new Promise((resolve) => this.#rl.once('close', () => resolve()));
  }

  start(): void {
    this.#say(`Titan is listening. ${HELP}`);
    this.#rl.prompt();
  }

  #write(text: string): void {
    this.#options.output.write(text);
    this.#atLineStart = text.endsWith('\n');
  }

  #say(line: string): void {
    this.#write(`${this.#atLineStart ? '' : '\n'}${line}\n`);
  }

  async #handle(line: string): Promise<void> {
    if (this.#confirming && /^(y|yes|n|no)$/i.test(line)) {
      const answer = this.#confirming;
      this.#confirming = undefined;
      return answer(/^y/i.test(line));
    }
    if (this.#approval && /^(y|yes|n|no)$/i.test(line)) {
      const { id, name } = this.#approval;
      this.#approval = undefined;
      const approved = /^y/i.test(line);
      await this.#options.agent.decide(id, approved ? 'approved' : 'rejected', this.#options.userId);
      this.#say(approved ? `approved: ${name} runs` : `rejected: ${name} does not run`);
      return;
    }
    switch (line) {
      case '':
        break;
      case '/help':
        this.#say(HELP);
        break;
      case '/quit':
        this.#rl.close();
        return;
      case '/new':
        this.#threadId = (await this.#options.agent.createThread(this.#options.userId)).id;
        this.#say(`new thread ${this.#threadId.slice(0, 8)}`);
        break;
      case '/threads': {
        const threads = await this.#options.kernel.store.listThreads({ userId: this.#options.userId, limit: 20 });
        this.#say(
          threads.length === 0
            ? '(no threads yet)'
            : threads
                .map((t) => `${t.id === this.#threadId ? '*' : ' '} ${t.id.slice(0, 8)}  ${t.title ?? ''}  ${new Date(t.updated_at).toISOString()}`)
                .join('\n'),
        );
        break;
      }
      case '/interrupt':
        this.#interrupt();
        break;
      default:
        if (line === '/reflex' || line.startsWith('/reflex ')) {
          if (await this.#reflex(line.slice('/reflex'.length).trim())) return;
          break;
        }
        if (line === '/kernel' || line.startsWith('/kernel ')) {
          const args = line.slice('/kernel'.length);
          const desk = localDesk(this.#options.kernel, this.#options.userId);
          this.#say(args.trim() === 'help' ? KERNEL_HELP : await kernelCommand(args, desk, (question) => this.#ask(question)));
          break;
        }
        // "/onboard profile" is answered by Titan in the thread, like a message.
        if (line.startsWith('/') && !/^\/onboard\b/.test(line)) {
          this.#say(`unknown command ${line}. ${HELP}`);
          break;
        }
        await this.#send(line);
        return;
    }
    this.#rl.prompt();
  }

  async #send(text: string): Promise<void> {
    if (this.#turnId) {
      this.#say('a turn is running: wait for it, or /interrupt it');
      return;
    }
    this.#threadId ??= (await this.#options.agent.createThread(this.#options.userId, text.slice(0, 60))).id;
    const { turnId, run } = await this.#options.agent.send(this.#options.userId, this.#threadId, text, { origin: 'person' });
    this.#turnId = turnId;
    await run.done;
    this.#turnId = undefined;
    this.#write(this.#atLineStart ? '' : '\n');
    this.#rl.prompt();
  }

  /** /reflex [model | suspend NAME | resume NAME]; true when a turn was started (it prompts when done). */
  async #reflex(args: string): Promise<boolean> {
    const reflexes = this.#options.agent.reflexes;
    if (!reflexes) {
      this.#say('reflexes are off (set "reflexes": { "enabled": true } in config.json, or TITAN_REFLEXES=true)');
      return false;
    }
    const [verb, name] = args.split(/\s+/);
    if (!verb) {
      const all = reflexes.list();
      this.#say(
        all.length === 0
          ? '(no reflexes yet: they are compiled from requests that recur)'
          : all
              .map(
                (r) =>
                  `${r.name}@${r.version ?? '-'} ${r.state}  hits ${r.hits}, misses ${r.misses}, rejections ${r.rejections}  "${r.example}"${r.reason ? `  (${r.reason})` : ''}`,
              )
              .join('\n'),
      );
      return false;
    }
    if (verb === 'model') {
      if (!this.#lastFast) {
        this.#say('no answer here came from a reflex or the shadow cache');
        return false;
      }
      const sent = await reflexes.askModelInstead(this.#options.agent, this.#options.userId, this.#lastFast);
      this.#lastFast = undefined;
      this.#say(sent.rejected ? `(counted against ${sent.rejected}; asking the model)` : '(asking the model)');
      this.#turnId = sent.turnId;
      await this.#options.agent.running().find((r) => r.turnId === sent.turnId)?.done;
      this.#turnId = undefined;
      this.#write(this.#atLineStart ? '' : '\n');
      this.#rl.prompt();
      return true;
    }
    if ((verb === 'suspend' || verb === 'resume') && name) {
      const record = verb === 'suspend' ? await reflexes.suspend(name, `suspended by ${this.#options.userId} in the REPL`) : await reflexes.resume(name);
      this.#say(`${record.name}: ${record.state}`);
      return false;
    }
    this.#say(REFLEX_HELP);
    return false;
  }

  /** Asks a yes/no question; the next y or n typed answers it. */
  #ask(question: string): Promise<boolean> {
    this.#say(question);
    this.#rl.prompt();
    return new Promise((resolve) => (this.#confirming = resolve));
  }

  #interrupt(): void {
    if (!this.#turnId) return this.#say('no turn is running');
    this.#options.agent.interrupt(this.#turnId, this.#options.userId);
  }

  #show(event: TurnEvent): void {
    if (event.turnId !== this.#turnId && event.threadId !== this.#threadId) return;
    switch (event.type) {
      case 'text':
        this.#write(event.text);
        break;
      case 'tool.started':
        this.#say(`[${event.name}${event.early ? ', started early' : ''}] ${JSON.stringify(event.arguments)}`);
        break;
      case 'tool.output':
        this.#write(event.text);
        break;
      case 'tool.completed':
        this.#say(event.ok ? `[${event.name} done]` : `[${event.name} failed: ${event.error?.code} ${event.error?.message}]`);
        break;
      case 'approval.needed':
        this.#approval = { id: event.approvalId, name: event.name };
        this.#say(`${event.name} wants to run ${JSON.stringify(event.arguments)}. Allow? [y/n] (expires ${new Date(event.expiresAt).toLocaleTimeString()})`);
        break;
      case 'approval.decided':
        if (event.decision === 'expired') this.#say(`the approval expired: ${event.reason ?? ''}`);
        break;
      case 'error':
        this.#say(`${event.code}: ${event.message}${event.fix ? `\n  fix: ${event.fix}` : ''}`);
        break;
      case 'status':
        this.#say(`(${event.message})`);
        break;
      case 'answer.source':
        if (event.source === 'onboarding') break; // Titan's own questions: nothing for the model to redo
        this.#lastFast = event.turnId;
        this.#say(
          event.source === 'reflex'
            ? `[reflex ${event.reflex?.name}@${event.reflex?.version}, no model call; /reflex model asks the model]`
            : '[precomputed by a shadow worker; /reflex model asks the model]',
        );
        break;
      case 'turn.interrupted':
        this.#say('(interrupted)');
        break;
      default:
        break;
    }
  }
}
