// How a slot value is written: as typed, Title Case, lower or UPPER case (a tool may want "paris"
// where the user typed "Paris"); the miner finds the form, the runtime applies it.
import type { SlotForm } from '../../components/reflexes/runtime.js';

export const FORMS: SlotForm[] = ['same', 'title', 'lower', 'upper'];

export function applyForm(value: string, form: SlotForm): string {
  if (form === 'lower') return value.toLowerCase();
  if (form === 'upper') return value.toUpperCase();
  if (form === 'title') return value.toLowerCase().replace(/(^|[\s\-'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
  return value;
}

/** The form that turns the text as shown into the value, if one does. */
export function formOf(shown: string, value: string): SlotForm | undefined {
  return FORMS.find((form) => applyForm(shown, form) === value);
}
