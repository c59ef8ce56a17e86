// Types for pino-roll 4 (it ships none): the options Titan passes and the stream it returns.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  export type PinoRollOptions = {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
    mkdir?: boolean;
  };

  export default function pinoRoll(options: PinoRollOptions): Promise<DestinationStream & { end(): void; flushSync(): void }>;
}
