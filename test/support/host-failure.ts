// What a guest sees of a host call that failed: the payload of the error it throws (a host
// interface's error variant), for tests of host-api modules.
import assert from 'node:assert/strict';

export async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { payload: unknown }).payload);
  }
  assert.fail('expected the call to fail');
}
