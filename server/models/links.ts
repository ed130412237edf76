/**
 * A learner's linked GitHub repository: which branch (and subdirectory) holds which phase, the
 * webhook secret, and the webhook deliveries received for it.
 */
import crypto from 'node:crypto';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { execute, inTransaction, loadSqlBlocks, queryOptionalRow, queryRow, queryRows } from '../../core/db/sql';

const sql = loadSqlBlocks(__filename);

export const LinkSchema = z.object({
  id: z.coerce.number(),
  user_id: z.coerce.number(),
  repo_full_name: z.string(),
  webhook_secret: z.string(),
  github_hook_id: z.coerce.number().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type Link = z.infer<typeof LinkSchema>;

export const LinkPhaseSchema = z.object({
  link_id: z.coerce.number(),
  exercise_id: z.string(),
  branch: z.string(),
  subdir: z.string().nullable(),
  phase: z.number(),
  title: z.string(),
});
export type LinkPhase = z.infer<typeof LinkPhaseSchema>;

export const DeliverySchema = z.object({
  delivery_id: z.string(),
  event: z.string(),
  repo: z.string().nullable(),
  outcome: z.string(),
  received_at: z.date(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export function newWebhookSecret(): string {
  return crypto.randomBytes(24).toString('hex');
}

export function selectOptionalLinkForUser(userId: number): Promise<Link | null> {
  return queryOptionalRow(sql.select_link_for_user, { user_id: userId }, LinkSchema);
}

export function selectOptionalLinkByRepo(repoFullName: string): Promise<Link | null> {
  return queryOptionalRow(sql.select_link_by_repo, { repo_full_name: repoFullName }, LinkSchema);
}

export function selectOptionalLinkById(id: number): Promise<Link | null> {
  return queryOptionalRow(sql.select_link_by_id, { id }, LinkSchema);
}

export function selectLinkPhases(linkId: number): Promise<LinkPhase[]> {
  return queryRows(sql.select_link_phases, { link_id: linkId }, LinkPhaseSchema);
}

/** A phase to track: the form's fields, or an entry of backend-pro.yml. */
export type LinkPhaseInput = { exerciseId: string; branch: string; subdir: string | null };

/** Links (or relinks) the learner's repository and replaces the tracked phases, atomically. */
export function saveLink(userId: number, repoFullName: string, phases: LinkPhaseInput[]): Promise<Link> {
  return inTransaction(async (client) => {
    const link = await queryRow(sql.upsert_link, { user_id: userId, repo_full_name: repoFullName, webhook_secret: newWebhookSecret() }, LinkSchema, client);
    await writeLinkPhases(link.id, phases, client);
    return link;
  });
}

/** Replaces the tracked phases of a link (from its backend-pro.yml), atomically: a push sees the old map or the new one. */
export function replaceLinkPhases(linkId: number, phases: LinkPhaseInput[]): Promise<void> {
  return inTransaction((client) => writeLinkPhases(linkId, phases, client));
}

async function writeLinkPhases(linkId: number, phases: LinkPhaseInput[], client: PoolClient): Promise<void> {
  await execute(sql.delete_link_phases, { link_id: linkId }, client);
  for (const phase of phases) {
    await execute(sql.insert_link_phase, { link_id: linkId, exercise_id: phase.exerciseId, branch: phase.branch, subdir: phase.subdir }, client);
  }
}

export function regenerateLinkSecret(linkId: number): Promise<Link> {
  return queryRow(sql.update_link_secret, { id: linkId, webhook_secret: newWebhookSecret() }, LinkSchema);
}

export async function updateLinkHook(linkId: number, hookId: number): Promise<void> {
  await execute(sql.update_link_hook, { id: linkId, github_hook_id: hookId });
}

export async function deleteLinkForUser(userId: number): Promise<void> {
  await execute(sql.delete_link, { user_id: userId });
}

/** Records a delivery; false when GitHub already delivered it (a redelivery creates nothing). */
export async function recordDelivery(deliveryId: string, event: string, repo: string | null): Promise<boolean> {
  const rows = await queryRows(sql.insert_delivery, { delivery_id: deliveryId, event, repo }, z.object({ delivery_id: z.string() }));
  return rows.length === 1;
}

export async function updateDeliveryOutcome(deliveryId: string, outcome: string): Promise<void> {
  await execute(sql.update_delivery_outcome, { delivery_id: deliveryId, outcome: outcome.slice(0, 500) });
}

export function selectRecentDeliveries(repo: string, limit = 10): Promise<Delivery[]> {
  return queryRows(sql.select_recent_deliveries, { repo, limit }, DeliverySchema);
}

export async function forgetDelivery(deliveryId: string): Promise<void> {
  await execute(sql.delete_delivery, { delivery_id: deliveryId });
}
