/**
 * The sentence to show for a failed host or phone command. Electron's `ipcRenderer.invoke` wraps
 * the main process's message as "Error invoking remote method 'x': Error: <message>"; the agent
 * should read only <message>.
 */
export function userMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const message = raw.replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(?:[A-Z]\w*)?Error:\s*/, '').trim();
  return message || 'Something went wrong (no details were given)';
}
