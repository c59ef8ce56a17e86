// Loads the chat view so it draws live even when CI is set in the environment: ink decides once,
// when it loads, to draw only the final frame under CI (is-in-ci), which leaves a person at a
// terminal with a blank screen. `titan chat` only runs on a terminal, so the variables are hidden
// while ink loads and restored at once.
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function loadChatView(): Promise<typeof import('./app.ts')> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await import('./app.ts');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
