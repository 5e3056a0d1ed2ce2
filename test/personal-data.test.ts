/** Masking of personal data kept in call logs (platform/personal-data.ts, docs/open-call-logs.md "What a record keeps"). */
import { maskPersonalJson, maskPersonalText } from '../platform/personal-data';

describe('personal data masking', () => {
  it('masks mobile numbers (with or without +86), resident ID numbers and e-mail addresses in text', () => {
    expect(maskPersonalText('电话13812345678，备用 +86 13900139000')).toBe('电话138****5678，备用 +86 139****9000');
    expect(maskPersonalText('身份证 11010119900307123X / 440305199912310018')).toBe('身份证 110101********123X / 440305********0018');
    expect(maskPersonalText('mail zhang.san@example.com.cn')).toBe('mail z***@example.com.cn');
  });

  it('leaves order numbers, amounts and other digit runs alone', () => {
    const text = 'orderNo 20261205000001 total 13812345678901 ts 1796495081460 sku 12345678';
    expect(maskPersonalText(text)).toBe(text);
  });

  it('masks JSON values wherever they sit: strings, phone numbers sent as numbers, address detail lines by key', () => {
    expect(
      maskPersonalJson({
        receiverName: '张三丰',
        receiverMobile: 13812345678,
        address: { province: '广东省', city: '深圳市', district: '南山区', detail: '科技园 3 号 5 栋 1201' },
        notes: ['call 13900139000'],
        quantity: 2,
      }),
    ).toEqual({
      receiverName: '张三丰',
      receiverMobile: '138****5678',
      address: { province: '广东省', city: '深圳市', district: '南山区', detail: '科技****' },
      notes: ['call 139****9000'],
      quantity: 2,
    });
  });

  it('is idempotent: masking masked text changes nothing (a keyword is masked the same way as the records)', () => {
    const once = maskPersonalText('13812345678 11010119900307123X a@b.cn');
    expect(maskPersonalText(once)).toBe(once);
  });
});
