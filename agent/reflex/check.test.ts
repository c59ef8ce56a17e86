// The background check compares whole answers: a literal that differs (an offset compiled as text)
// or a list the reflex wrote in part is a disagreement; other wording around the same values is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agrees } from './check.ts';

test('a literal that differs from the model answer is a disagreement, not agreement by template', () => {
  assert.equal(agrees('It is 14:05 in Paris (UTC+09:00).', 'It is 14:05 in Paris (UTC+01:00).'), false);
});

test('a list written in part, or a wrong count, disagrees; the same values in other words agree', () => {
  assert.equal(agrees('You have 3 entries: Dentist, Gym and Dinner.', 'You have 4 entries: Dentist, Gym, Dinner and Read.'), false);
  assert.equal(agrees('You have 2 entries: Dentist and Gym.', 'You have 2 entries: Dentist and Gym, and then Yoga.'), false);
  assert.equal(agrees("It's 12 °C and sunny in Paris.", 'It is 12 °C and sunny in Paris right now.'), true);
});
