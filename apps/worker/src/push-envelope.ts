import { z } from 'zod';
import { PermanentError, type Delivery } from '@rdc/contracts';

/** The body of a Pub/Sub push request (wrapped format). */
export const PushEnvelope = z.object({
  message: z.object({
    data: z.string().max(1_000_000).optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().min(1).max(200).optional(),
    message_id: z.string().min(1).max(200).optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().int().positive().optional(),
});
export type PushEnvelope = z.infer<typeof PushEnvelope>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Turns a validated envelope into a Delivery. Data that is not base64 is kept
 * as its raw text and reported as `problem`, so it is dead-lettered, not dropped.
 */
export function toDelivery(envelope: PushEnvelope): { delivery: Delivery; problem?: PermanentError } {
  const { message } = envelope;
  const id = message.messageId ?? message.message_id ?? 'unknown';
  const data = message.data ?? '';
  const base64 = BASE64.test(data) && data.length % 4 === 0;
  const delivery: Delivery = {
    id,
    data: base64 ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8'),
    attributes: message.attributes ?? {},
    deliveryAttempt: envelope.deliveryAttempt ?? 1,
  };
  if (base64) return { delivery };
  return {
    delivery,
    problem: new PermanentError(`Message ${id}: data is not base64; expected a task published by the planner.`),
  };
}
