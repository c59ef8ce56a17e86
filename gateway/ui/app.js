// The web UI's entry: takes the token from the address, then routes on the fragment:
// #/chat, #/chat/<threadId>, #/components, #/patches, #/reflexes, #/jobs, #/routines, #/goals, #/memory, #/profile,
// #/usage, #/logs, #/settings.
import { hasToken, onUnauthorized, takeTokenFromLocation } from './api.js';
import { ChatView } from './chat.js';
import { ComponentsPage } from './components.js';
import { byId } from './dom.js';
import { GoalsPage } from './goals.js';
import { JobsPage } from './jobs.js';
import { LogsPage } from './logs.js';
import { PatchesPage } from './patches.js';
import { ProfilePage } from './profile.js';
import { ReflexesPage } from './reflexes.js';
import { MemoryPage } from './memory.js';
import { RoutinesPage } from './routines.js';
import { SettingsPage } from './settings.js';
import { ThreadList } from './threads.js';
import { UsagePage } from './usage.js';

const PAGES = ['chat', 'components', 'patches', 'reflexes', 'jobs', 'routines', 'goals', 'memory', 'profile', 'usage', 'logs', 'settings'];

const threads = new ThreadList({
  onDeleted: (threadId) => {
    if (threadId === undefined || threadId === chat.threadId) location.hash = '#/chat';
    chat.forget(threadId);
  },
});
const chat = new ChatView({ onChanged: () => void threads.refresh() });
const components = new ComponentsPage({ onProposed: () => (location.hash = '#/patches') });
const patches = new PatchesPage();
const reflexes = new ReflexesPage();
const jobs = new JobsPage();
const goals = new GoalsPage();
const memory = new MemoryPage();
const profile = new ProfilePage();
const routines = new RoutinesPage();
const settings = new SettingsPage();
const usage = new UsagePage();
const logs = new LogsPage();

let listed = false;

function signedOut() {
  listed = false;
  byId('signin').hidden = false;
  byId('pages').hidden = true;
}

/** "#/chat/<id>" -> {page: 'chat', id}; anything unknown is the chat. */
function parseRoute(hash) {
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  return { page: PAGES.includes(page) ? page : 'chat', id: id ? decodeURIComponent(id) : undefined };
}

async function route() {
  takeTokenFromLocation(); // also when a #token=... link is opened in a tab already showing the UI
  if (!hasToken()) return signedOut();
  byId('signin').hidden = true;
  byId('pages').hidden = false;
  if (!listed) {
    listed = true;
    void threads.refresh();
  }
  const { page, id } = parseRoute(location.hash);
  for (const name of PAGES) byId(`page-${name}`).hidden = name !== page;
  for (const link of /** @type {NodeListOf<HTMLAnchorElement>} */ (document.querySelectorAll('nav a'))) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (page !== 'logs') logs.hide(); // its live stream runs only while it is looked at
  if (page === 'components') return components.show();
  if (page === 'patches') return patches.show();
  if (page === 'reflexes') return reflexes.show();
  if (page === 'jobs') return jobs.show(id);
  if (page === 'goals') return goals.show(id);
  if (page === 'memory') return memory.show();
  if (page === 'profile') return profile.show();
  if (page === 'routines') return routines.show();
  if (page === 'settings') return settings.show();
  if (page === 'usage') return usage.show();
  if (page === 'logs') return logs.show();
  threads.select(id);
  if (id !== chat.threadId || id === undefined) await chat.open(id);
  byId('message-input').focus();
}

onUnauthorized(signedOut);
window.addEventListener('hashchange', () => void route());
void route();
