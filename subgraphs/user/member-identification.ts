/**
 * 根据code识别会员信息 (seed 001): a code shown at a store's counter → the member. Tried in this order, the first match
 * wins: a mainland mobile number (an account's phone), a member card number (WeChat, Alipay, the shop's own card:
 * member_cards), then a coupon's code, which promote answers (promote-client.ts). The answer shows a masked phone
 * only: the counter needs to greet the member, not to learn their number.
 */
import type { Knex } from 'knex';
import { badInput, notFound } from '../../platform/errors';
import type { ServiceClient } from '../../platform/service-client';
import { findCardsByNumber, type MemberCardKind } from './data/member-cards';
import { findUserById, findUserByPhone, type UserRow } from './data/users';
import { membershipsOfUsers, type MembershipView } from './membership';
import { couponOwnerByCode } from './promote-client';
import { MOBILE_PHONE } from './validation';

export type MemberCodeKind = 'PHONE' | 'WECHAT_CARD' | 'ALIPAY_CARD' | 'SHOP_CARD' | 'COUPON';

export interface MemberIdentificationView {
  kind: MemberCodeKind;
  userId: string;
  nickname: string | null;
  maskedPhone: string | null;
  membership: MembershipView;
  couponId: string | null;
}

const CARD_KINDS: Record<MemberCardKind, MemberCodeKind> = { WECHAT: 'WECHAT_CARD', ALIPAY: 'ALIPAY_CARD', SHOP: 'SHOP_CARD' };

export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : null);

export async function identifyMember(db: Knex, peers: ServiceClient, rawCode: string, requestId?: string): Promise<MemberIdentificationView> {
  const code = rawCode.replace(/[\s-]/g, '');
  if (!/^[A-Za-z0-9]{4,32}$/.test(code)) throw badInput('A member code is 4–32 letters or digits', 'code');
  let kind: MemberCodeKind | undefined;
  let user: UserRow | undefined;
  let couponId: string | null = null;
  if (MOBILE_PHONE.test(code)) {
    user = await findUserByPhone(db, code);
    if (user) kind = 'PHONE';
  }
  if (!user) {
    const [card] = await findCardsByNumber(db, code);
    if (card) {
      user = await findUserById(db, String(card.user_id));
      kind = CARD_KINDS[card.kind];
    }
  }
  if (!user) {
    const coupon = await couponOwnerByCode(peers, code, requestId);
    if (coupon) {
      user = await findUserById(db, coupon.userId);
      kind = 'COUPON';
      couponId = coupon.couponId;
    }
  }
  if (!user || !kind || user.merged_into_user_id) throw notFound('No member matches this code');
  const [membership] = await membershipsOfUsers(db, [user.id]);
  return { kind, userId: user.id, nickname: user.nickname, maskedPhone: maskPhone(user.phone), membership, couponId };
}
