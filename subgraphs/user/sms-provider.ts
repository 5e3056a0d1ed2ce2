/**
 * Who delivers SMS codes: Tencent Cloud SMS with TENCENT_SMS_* (tencent-sms.ts); else, with SMS_DEV_LOG on (never in
 * production; by default only on a loopback HOST, platform/modes.ts), a stand-in that writes the code to the log and
 * says so at start-up; else none: sendSmsCode is refused (FORBIDDEN, reason SMS_NOT_CONFIGURED).
 */
import type { Config } from '../../platform/config';
import { shopError } from '../../platform/errors';
import { createTencentSmsSender } from './tencent-sms';
import { logger } from '../../platform/log';

const smsLog = logger({ component: 'user' });

export interface SmsSender {
  readonly kind: 'tencent' | 'development' | 'unconfigured';
  /** Sends `code` to the mainland number `phone` (11 digits); throws a shop error the client may see. */
  sendCode(phone: string, code: string, validMinutes: number): Promise<void>;
}

export function createDevSmsSender(config: Pick<Config, 'isProduction'>, log: (line: string) => void = (line) => smsLog.info(line)): SmsSender {
  if (config.isProduction) throw new Error('The development SMS stand-in is refused with NODE_ENV=production: set TENCENT_SMS_*');
  return {
    kind: 'development',
    async sendCode(phone, code, validMinutes) {
      log(`SMS_DEV_LOG: code ${code} for ${phone.slice(0, 3)}****${phone.slice(-4)} (valid ${validMinutes} min; not sent, no SMS provider)`);
    },
  };
}

export const smsNotConfigured = () =>
  shopError('FORBIDDEN', 'Text messages are not available on this server (TENCENT_SMS_* are not set)', { reason: 'SMS_NOT_CONFIGURED' });

export function createSmsSender(config: Pick<Config, 'isProduction' | 'sms'>): SmsSender {
  if (config.sms.tencent) return createTencentSmsSender(config.sms.tencent);
  if (config.sms.devLog && !config.isProduction) return createDevSmsSender(config);
  return {
    kind: 'unconfigured',
    async sendCode() {
      throw smsNotConfigured();
    },
  };
}

export function describeSms(sender: SmsSender): string {
  switch (sender.kind) {
    case 'tencent':
      return '[user] SMS codes: Tencent Cloud SMS';
    case 'development':
      return '[user] SMS codes: DEVELOPMENT stand-in, codes are written to this log, not sent (SMS_DEV_LOG on, no TENCENT_SMS_*)';
    default:
      return '[user] SMS codes: unavailable (no TENCENT_SMS_*, SMS_DEV_LOG off): sendSmsCode is refused';
  }
}
