// A webhook's body exactly as sent: platforms sign the raw bytes, so nothing may parse it first.
import type { IncomingMessage } from 'node:http';
import { TitanError } from '../../common/errors.ts';

export async function readRawBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      request.resume(); // drain the rest so the answer can still be written
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): TitanError {
  return new TitanError('TITAN_E_BODY_TOO_LARGE', `a channel webhook body may hold at most ${maxBytes} bytes`, { fix: 'platform payloads are small; raise "channelMaxBodyBytes" in $TITAN_HOME/config.json if one is not' });
}
