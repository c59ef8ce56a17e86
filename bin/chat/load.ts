// Loads the chat view so it draws live even when CI is set in the environment: ink decides once,
// when it loads, to draw only the final frame under CI (is-in-ci), which leaves a person at a
// terminal with a blank screen. `titan chat` only runs on a terminal, so the variables are hidden
// while ink loads and restored at once. ink and React are an optional install (TITAN_E_CHAT_UI_MISSING).
import { TitanError } from '../../common/errors.ts';
import { isMissingPackage } from '../../common/optional-package.ts';

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function loadChatView(): Promise<typeof import('./app.ts')> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await import('./app.ts');
  } catch (error) {
    const missing = ['ink', 'react'].find((name) => isMissingPackage(error, name));
    if (!missing) throw error;
    throw new TitanError(
      'TITAN_E_CHAT_UI_MISSING',
      `titan chat draws with ink and React, and ${missing} is not installed (a production install leaves them out)`,
      {
        cause: error,
      },
    );
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
