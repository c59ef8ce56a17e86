// A webhook's body exactly as sent: platforms sign the raw bytes, so nothing may parse it first.
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { TitanError } from '../../common/errors.ts';

export async function readRawBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  try {
    // raw-body refuses a declared Content-Length over the limit before reading, and stops at it otherwise.
    return await getRawBody(request, { limit: maxBytes });
  } catch (error) {
    if ((error as { type?: string }).type !== 'entity.too.large') throw error;
    request.resume(); // drain the rest so the answer can still be written
    throw new TitanError('TITAN_E_BODY_TOO_LARGE', `a channel webhook body may hold at most ${maxBytes} bytes`, {
      fix: 'platform payloads are small; raise channels.maxBodyBytes in $TITAN_HOME/config.json if one is not',
    });
  }
}
