// A noun of reaching someone said first, straight before the value, is the verb of calling them:
// "phone Mia now" goes to the model, while "Mia phone", "phone number Mia" and "phone of Mia" ask the number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';

test('"phone Mia now" and "pls phone Omar" call them and go to the model; "Mia phone" and "phone number of Mia" are answered', async () => {
  const phone = await learn(
    [
      ["what's Anna's phone number", { name: 'Anna' }],
      ['phone number of Omar', { name: 'Omar' }],
      ['what is the phone number for Lena', { name: 'Lena' }],
      ['Raj phone number', { name: 'Raj' }],
    ],
    ({ name }) => ({ phone: `+49 151 ${name.length}000` }),
    (a, r) => `${a.name}: ${(r as { phone: string }).phone}.`,
  );
  for (const prompt of ['Mia phone', 'phone number Mia', 'phone of Mia', 'Mia phone number']) assert.equal(phone(prompt), 'Mia: +49 151 3000.', prompt);
  for (const prompt of ['phone Mia now', 'phone Mia', 'pls phone Omar', 'text Mia']) assert.equal(phone(prompt), undefined, prompt);
});
