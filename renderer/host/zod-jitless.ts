import { z } from 'zod';

/**
 * Imported first by the renderer's entry point. Zod compiles object parsers with `new Function`
 * unless told not to, and merely probing for that makes a strict CSP (script-src 'self', no
 * 'unsafe-eval') report a violation. The interpreted parser is fast enough for our payloads.
 */
z.config({ jitless: true });
