/**
 * Tencent Cloud SMS, API 3.0 `SendSms` (version 2021-01-11): a JSON POST to https://sms.tencentcloudapi.com/ signed with
 * TC3-HMAC-SHA256 (https://cloud.tencent.com/document/api/382/52071 and /document/api/213/30654):
 *   CanonicalRequest = POST \n / \n \n content-type:<ct>\nhost:<host>\n \n content-type;host \n hex(sha256(body))
 *   StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <date>/sms/tc3_request \n hex(sha256(CanonicalRequest))
 *   key              = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request")
 *   Authorization    = TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request, SignedHeaders=content-type;host, Signature=hex(HMAC(key, StringToSign))
 * The answer is `{ Response: { SendStatusSet: [{ Code: "Ok", ... }], RequestId } }`, or `{ Response: { Error: { Code, Message } } }`.
 */
import crypto from 'node:crypto';
import type { SmsConfig } from '../../platform/config';
import { rateLimited, shopError } from '../../platform/errors';
import type { SmsSender } from './sms-provider';
import { logger } from '../../platform/log';

const log = logger({ component: 'user' });

type TencentSmsConfig = NonNullable<SmsConfig['tencent']>;

const SERVICE = 'sms';
const VERSION = '2021-01-11';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256hex = (data: string) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** The Authorization header of a TC3-HMAC-SHA256 request. */
export function tc3Authorization(input: { secretId: string; secretKey: string; host: string; body: string; timestamp: number }): string {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  // Canonical header values are lower-cased and trimmed (Tencent's rule).
  const canonicalHeaders = `content-type:${CONTENT_TYPE.toLowerCase()}\nhost:${input.host.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, 'content-type;host', sha256hex(input.body)].join('\n');
  const scope = `${date}/${SERVICE}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${input.secretKey}`, date), SERVICE), 'tc3_request');
  const signature = crypto.createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

interface SendSmsResponse {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { Code?: string; Message?: string; PhoneNumber?: string; SerialNo?: string }[];
    RequestId?: string;
  };
}

/** Per-number refusals that are the shopper's doing (too many texts to one number), not ours. */
const NUMBER_LIMITS = new Set(['LimitExceeded.PhoneNumberDailyLimit', 'LimitExceeded.PhoneNumberThirtySecondLimit', 'LimitExceeded.PhoneNumberOneHourLimit', 'LimitExceeded.PhoneNumberSameContentDailyLimit']);

export function createTencentSmsSender(config: TencentSmsConfig): SmsSender {
  const url = new URL(`${config.endpoint}/`);
  return {
    kind: 'tencent',
    async sendCode(phone, code, validMinutes) {
      const body = JSON.stringify({
        PhoneNumberSet: [`+86${phone}`],
        SmsSdkAppId: config.sdkAppId,
        SignName: config.signName,
        TemplateId: config.templateId,
        TemplateParamSet: [code, String(validMinutes)],
      });
      const timestamp = Math.floor(Date.now() / 1000);
      let answer: SendSmsResponse;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': CONTENT_TYPE,
            authorization: tc3Authorization({ secretId: config.secretId, secretKey: config.secretKey, host: url.host, body, timestamp }),
            'x-tc-action': 'SendSms',
            'x-tc-version': VERSION,
            'x-tc-timestamp': String(timestamp),
            'x-tc-region': config.region,
          },
          body,
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        answer = (await response.json()) as SendSmsResponse;
      } catch (error) {
        const reason = error instanceof Error ? (error.name === 'TimeoutError' ? 'timeout' : error.message) : 'unknown';
        throw shopError('INTERNAL_SERVER_ERROR', `The SMS service is unavailable (${reason})`);
      }
      const failure = answer.Response?.Error;
      if (failure) {
        // Our fault (keys, signature, template): logged for operators, a generic error for the shopper.
        log.error(`Tencent SMS refused SendSms: ${failure.Code} ${failure.Message ?? ''} (RequestId ${answer.Response?.RequestId ?? '?'})`);
        throw shopError('INTERNAL_SERVER_ERROR', 'The SMS service refused the message');
      }
      const status = answer.Response?.SendStatusSet?.[0];
      if (status?.Code === 'Ok') return;
      if (status?.Code && NUMBER_LIMITS.has(status.Code)) throw rateLimited('Too many text messages to this phone number today; try again later');
      log.error(`Tencent SMS did not send: ${status?.Code ?? 'no status'} ${status?.Message ?? ''}`);
      throw shopError('INTERNAL_SERVER_ERROR', 'The SMS service could not send the message');
    },
  };
}
