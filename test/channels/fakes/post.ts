// Posting to Titan's webhook as a platform does, and reading the answer (JSON when it is JSON).
export type WebhookAnswer = { status: number; headers: Headers; body: any; text: string };

export async function postWebhook(url: string, method: string, headers: Record<string, string>, body?: string): Promise<WebhookAnswer> {
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // a plain-text answer (a WhatsApp challenge)
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
