/**
 * Telling people about a slow API: a durable job per alert (scheduled with it, monitor.ts) mails OPEN_ALERT_EMAIL_TO
 * through OPEN_ALERT_SMTP_URL (nodemailer: SMTP with TLS, auth and pooling done right, which a hand-written client
 * would not be) and/or POSTs the alert as JSON to OPEN_ALERT_WEBHOOK_URL. Each channel is marked done on success, so
 * a retry (the job runner's backoff) repeats only the channel that failed; a crash between sending and marking can
 * send that one channel twice — at least once, never lost.
 */
import nodemailer from 'nodemailer';
import type { Knex } from 'knex';
import type { Config } from '../../../platform/config';
import type { JobHandler } from '../../../platform/events/jobs';
import { findAlert, markAlertNotified, type AlertRow } from '../data/alerts';

export const NOTIFY_ALERT_JOB = 'open.notifyAlert';
const WEBHOOK_TIMEOUT_MS = 5000;

export function alertMessage(alert: AlertRow) {
  const minutes = Math.round((alert.window_end.getTime() - alert.window_start.getTime()) / 60_000);
  const subject = `[open platform] ${alert.method}: ${alert.average_ms} ms average over ${minutes} min (threshold ${alert.threshold_ms} ms)`;
  const text = [
    `API ${alert.method} answered slower than its threshold.`,
    `Window: ${alert.window_start.toISOString()} – ${alert.window_end.toISOString()}`,
    `Calls: ${alert.calls}`,
    `Average response time: ${alert.average_ms} ms (threshold ${alert.threshold_ms} ms)`,
    '',
    'Open the call logs of this method and window in the console to see which apps and requests were slow.',
  ].join('\n');
  return { subject, text };
}

export function notifyAlertJob(db: Knex, config: Pick<Config, 'openLogs'>): JobHandler<{ alertId: string }> {
  const { smtpUrl, emailFrom, emailTo, webhookUrl } = config.openLogs;
  // One transport per process: nodemailer keeps its connection settings; it connects per message.
  const transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  return async (job) => {
    const alert = await findAlert(db, String(job.payload.alertId));
    if (!alert) return;
    if (transport && !alert.emailed_at) {
      const { subject, text } = alertMessage(alert);
      await transport.sendMail({ from: emailFrom, to: emailTo, subject, text });
      await markAlertNotified(db, alert.id, 'email');
    }
    if (webhookUrl && !alert.webhook_at) {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'open.slowApi',
          alertId: alert.id,
          method: alert.method,
          windowStart: alert.window_start.toISOString(),
          windowEnd: alert.window_end.toISOString(),
          calls: alert.calls,
          averageMs: alert.average_ms,
          thresholdMs: alert.threshold_ms,
        }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
      await markAlertNotified(db, alert.id, 'webhook');
    }
  };
}
