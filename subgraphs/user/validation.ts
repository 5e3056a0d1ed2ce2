/**
 * Input rules of the user subgraph. Each check throws BAD_USER_INPUT naming the offending field (`extensions.field`)
 * before anything is written, and returns the normalized value (trimmed, lower-cased where it matters).
 */
import { badInput } from '../../platform/errors';
import type { AccountColumn } from './data/users';
import type { AddressFields } from './data/addresses';

/** Mainland China mobile numbers: 11 digits, 13x–19x. */
export const MOBILE_PHONE = /^1[3-9]\d{9}$/;
/** Landlines for delivery contacts: area code, optional dash, 7–8 digits, optional extension. */
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;
/** Staff usernames: lower-case letter first, then letters, digits, `_`, `.`, `-`. */
export const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 72;
export const NICKNAME_MAX = 32;
export const AVATAR_URL_MAX = 512;
export const MAX_ADDRESSES = 20;

/** Length in characters (code points), so that one Chinese character or emoji counts as one. */
const length = (value: string) => [...value].length;
/** Control characters (newlines, NUL…) have no place in names and addresses. */
const CONTROL = /\p{Cc}/u;

export function validatePhone(raw: string, field = 'phone'): string {
  const phone = raw.trim();
  if (!MOBILE_PHONE.test(phone)) throw badInput('Enter an 11-digit mainland mobile number', field);
  return phone;
}

export function validatePassword(password: string, field = 'password'): string {
  const size = length(password);
  if (size < PASSWORD_MIN || size > PASSWORD_MAX) {
    throw badInput(`The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`, field);
  }
  if (!/\p{L}/u.test(password) || !/\p{Nd}/u.test(password)) {
    throw badInput('The password must contain at least one letter and one digit', field);
  }
  return password;
}

function text(raw: string, field: string, label: string, max: number): string {
  const value = raw.trim();
  if (!value) throw badInput(`${label} must not be empty`, field);
  if (length(value) > max) throw badInput(`${label} must be at most ${max} characters`, field);
  if (CONTROL.test(value)) throw badInput(`${label} must not contain control characters`, field);
  return value;
}

export function validateNickname(raw: string, field = 'nickname'): string {
  return text(raw, field, 'The nickname', NICKNAME_MAX);
}

export function validateAvatarUrl(raw: string, field = 'avatarUrl'): string {
  const value = raw.trim();
  if (length(value) > AVATAR_URL_MAX) throw badInput(`The avatar URL must be at most ${AVATAR_URL_MAX} characters`, field);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput('The avatar URL must be an absolute http(s) URL', field);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.username || url.password) {
    throw badInput('The avatar URL must be an absolute http(s) URL', field);
  }
  return value;
}

export function validateUsername(raw: string, field = 'username'): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw badInput('A username is 3 to 32 characters: a letter, then letters, digits, "_", "." or "-"', field);
  }
  return username;
}

export interface RegisterValues {
  phone: string;
  password: string;
  nickname: string | null;
}

export function validateRegisterInput(input: { phone: string; password: string; nickname?: string | null }): RegisterValues {
  return {
    phone: validatePhone(input.phone, 'phone'),
    password: validatePassword(input.password, 'password'),
    nickname: input.nickname == null ? null : validateNickname(input.nickname, 'nickname'),
  };
}

/** Which column a login `account` names: a phone, an email (has an `@`), else a username. */
export function parseAccount(raw: string): { column: AccountColumn; value: string } {
  const account = raw.trim();
  if (!account) throw badInput('Enter a phone number, an email or a username', 'account');
  if (MOBILE_PHONE.test(account)) return { column: 'phone', value: account };
  if (account.includes('@')) return { column: 'email', value: account.toLowerCase() };
  return { column: 'username', value: account.toLowerCase() };
}

export function validateEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('Enter a valid email address', field);
  return email;
}

export interface ProfileValues {
  nickname?: string | null;
  avatar_url?: string | null;
}

/** A field left out stays unchanged (undefined); null clears it. */
export function validateProfileInput(input: { nickname?: string | null; avatarUrl?: string | null }): ProfileValues {
  const values: ProfileValues = {};
  if (input.nickname !== undefined) values.nickname = input.nickname === null ? null : validateNickname(input.nickname, 'nickname');
  if (input.avatarUrl !== undefined) {
    values.avatar_url = input.avatarUrl === null || input.avatarUrl.trim() === '' ? null : validateAvatarUrl(input.avatarUrl, 'avatarUrl');
  }
  return values;
}

export interface AddressValues {
  fields: AddressFields;
  /** undefined: not asked to change. */
  isDefault?: boolean;
}

export function validateAddressInput(input: {
  contactName: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  isDefault?: boolean | null;
}): AddressValues {
  const phone = input.phone.trim();
  if (!MOBILE_PHONE.test(phone) && !LANDLINE.test(phone)) {
    throw badInput('Enter a mainland mobile number or a landline such as 010-12345678', 'phone');
  }
  return {
    fields: {
      contact_name: text(input.contactName, 'contactName', 'The contact name', 32),
      phone,
      province: text(input.province, 'province', 'The province', 32),
      city: text(input.city, 'city', 'The city', 32),
      district: text(input.district, 'district', 'The district', 32),
      detail: text(input.detail, 'detail', 'The address detail', 200),
    },
    isDefault: input.isDefault ?? undefined,
  };
}

export const FAMILY_NAME_MAX = 32;

/** A family's name (families.ts). */
export function validateFamilyName(raw: string, field = 'name'): string {
  return text(raw, field, 'The family name', FAMILY_NAME_MAX);
}
