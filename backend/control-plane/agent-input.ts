/**
 * What the admin API accepts to create or change an agent (pure validation). Bad input is refused
 * with a message naming the field and the values it may take.
 */
import { z } from 'zod';
import { DESTINATION_CLASSES, type DestinationClass } from './schema.js';

const DestinationClassSchema = z.string().refine((v): v is DestinationClass => (DESTINATION_CLASSES as readonly string[]).includes(v), {
  error: (issue) => `unknown destination class ${JSON.stringify(issue.input)}; use ${DESTINATION_CLASSES.join(', ')}`,
});

/** The dial plan and call limits of one agent (Kamailio enforces them). */
export const AgentPolicySchema = z.object({
  allowedDestinations: z
    .array(DestinationClassSchema)
    .max(DESTINATION_CLASSES.length)
    .transform((classes) => [...new Set(classes)] as DestinationClass[]),
  maxCalls: z.number().int().min(0).max(1000),
  maxCps: z.number().int().min(1).max(100),
});

export const NewAgentSchema = z
  .object({
    username: z.string(),
    password: z.string(),
    displayName: z.string().max(128).default(''),
  })
  .merge(AgentPolicySchema.partial())
  .strict();

export const AgentChangesSchema = z
  .object({
    displayName: z.string().min(1).max(128),
    password: z.string(),
    disabled: z.boolean(),
  })
  .merge(AgentPolicySchema)
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, {
    message: `nothing to change; give one of displayName, password, disabled, ${Object.keys(AgentPolicySchema.shape).join(', ')}`,
  });

export type AgentPolicy = z.infer<typeof AgentPolicySchema>;
export type AgentChanges = z.infer<typeof AgentChangesSchema>;

/** "field: problem; field: problem" — what a 400 says. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
