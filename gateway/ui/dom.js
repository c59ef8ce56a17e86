// DOM helpers. Everything the UI writes goes through textContent or DOMPurify (markdown.js):
// nothing here parses a string as HTML.

/** An element with attributes (`class`, `aria-*`, `data-*`, ...), event handlers (`onclick`) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  element.append(...children.flat().filter((child) => child !== undefined && child !== null && child !== false));
  return element;
}

/**
 * The element with this id. index.html holds every id the scripts ask for; a caller that needs more
 * than an HTMLElement names the type where it keeps the element (a `@type` on the variable or field).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  return /** @type {T} */ (document.getElementById(id));
}

/** "12:03:04" for a time in ms. */
export const timeOf = (ms) => new Date(Number(ms)).toLocaleTimeString();

/** Pretty JSON for arguments and results; strings that hold JSON are parsed first. */
export function pretty(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Shows an error (an ApiError or anything thrown) until dismissed; the newest on top. */
export function showError(error) {
  const region = byId('alerts');
  const code = error?.code ? `${error.code}: ` : '';
  const fix = error?.fix ? ` (${error.fix})` : '';
  const item = h(
    'div',
    { class: 'alert' },
    h('span', {}, `${code}${error?.message ?? String(error)}${fix}`),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'),
  );
  region.prepend(item);
  while (region.children.length > 3) region.lastElementChild?.remove();
}

/** Asks in the page's <dialog>; resolves true when the user confirms. Escape or Cancel says no. */
export function confirmAction(message, confirmLabel) {
  /** @type {HTMLDialogElement} */
  const dialog = byId('confirm');
  byId('confirm-text').textContent = message;
  const ok = byId('confirm-ok');
  ok.textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    const close = (value) => () => dialog.close(value);
    const onOk = close('confirm');
    const onCancel = close('cancel');
    ok.addEventListener('click', onOk);
    byId('confirm-cancel').addEventListener('click', onCancel);
    dialog.addEventListener(
      'close',
      () => {
        ok.removeEventListener('click', onOk);
        byId('confirm-cancel').removeEventListener('click', onCancel);
        resolve(dialog.returnValue === 'confirm');
      },
      { once: true },
    );
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}
