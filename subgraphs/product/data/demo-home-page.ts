/**
 * Development demo content of the home page (never seeded with NODE_ENV=production; the launcher checks): banners,
 * two product groups (a shelf and a ranking), tags, hot search words, help center topics and a few SKU barcodes, over
 * the demo catalog (demo-catalog.ts). Idempotent: does nothing when any banner or group exists, or the catalog is not
 * the demo one.
 */
import type { Knex } from 'knex';
import { reindexProducts } from '../search-index';

const CDN = 'https://img.shop.example.com/demo';

const NEW_ARRIVALS = ['主动降噪蓝牙耳机', '氮化镓快充充电器', '轻量防风夹克', '60支长绒棉四件套', '缓震跑步鞋', '磁吸无线充电宝'];
const BEST_SELLERS = ['纯棉圆领短袖T恤', '不粘炒锅', '经典帆布鞋', '液态硅胶手机壳', '可折叠收纳箱', '速干运动T恤', '大豆纤维夏凉被'];
const TAGS: { name: string; products: string[] }[] = [
  { name: '新品', products: NEW_ARRIVALS },
  { name: '爆款', products: BEST_SELLERS },
  { name: '夏季清凉', products: ['速干运动T恤', '亚麻休闲衬衫', '大豆纤维夏凉被', '透气网面健步鞋'] },
  { name: '数码好物', products: ['主动降噪蓝牙耳机', '运动挂耳式耳机', '氮化镓快充充电器', '磁吸无线充电宝'] },
];
const HOT_WORDS = [
  { word: '羽绒服', highlighted: true },
  { word: '蓝牙耳机', highlighted: false },
  { word: '四件套', highlighted: false },
  { word: '跑步鞋', highlighted: false },
  { word: '充电宝', highlighted: false },
];
const HELP: { title: string; questions: { question: string; answer: string; featured?: boolean }[] }[] = [
  {
    title: '配送与物流',
    questions: [
      { question: '下单后多久发货？', answer: '现货商品在付款后 48 小时内发货，预售商品以商品页说明为准。', featured: true },
      { question: '支持哪些快递？', answer: '默认顺丰、中通、圆通，偏远地区以实际承运商为准。' },
    ],
  },
  {
    title: '售后与退款',
    questions: [
      { question: '如何申请退货？', answer: '在「我的订单」中找到订单，点击「申请售后」，选择退货退款并填写原因。', featured: true },
      { question: '退款多久到账？', answer: '商家确认收到退货后 1-3 个工作日原路退回。' },
    ],
  },
  {
    title: '账户与优惠券',
    questions: [{ question: '优惠券为什么不能用？', answer: '请确认订单金额达到使用门槛，且优惠券在有效期内。', featured: true }],
  },
];

export async function seedDemoHomePage(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    // Two instances starting together: the second waits here, then sees the first one's content.
    await trx.raw('LOCK TABLE banners IN EXCLUSIVE MODE');
    if ((await trx('banners').first('id')) || (await trx('product_groups').first('id'))) return;
    const products: { id: string; title: string }[] = await trx('products').select('id', 'title');
    const productId = new Map(products.map((row) => [row.title, String(row.id)]));
    const ids = (titles: string[]) => titles.map((title) => productId.get(title)).filter((id): id is string => Boolean(id));
    if (!ids(NEW_ARRIVALS).length) return;

    const [shelf, ranking] = await trx('product_groups')
      .insert([
        { name: '新品上市', description: '本周上新，先到先得', kind: 'LIST', show_on_home: true, sort_order: 1 },
        { name: '热销榜', description: '近期卖得最好的商品', kind: 'RANKING', show_on_home: true, sort_order: 2 },
      ])
      .returning('id');
    const members = (groupId: string, titles: string[]) => ids(titles).map((id, index) => ({ group_id: groupId, product_id: id, position: index + 1 }));
    await trx('product_group_items').insert([...members(shelf.id, NEW_ARRIVALS), ...members(ranking.id, BEST_SELLERS)]);

    await trx('banners').insert([
      { title: '夏季焕新', image_url: `${CDN}/banner-summer.jpg`, position: 'HOME_CAROUSEL', sort_order: 1, link_type: 'GROUP', link_group_id: shelf.id },
      { title: '降噪耳机', image_url: `${CDN}/banner-earbuds.jpg`, position: 'HOME_CAROUSEL', sort_order: 2, link_type: 'PRODUCT', link_product_id: productId.get('主动降噪蓝牙耳机') },
      { title: '会员日', image_url: `${CDN}/banner-members.jpg`, position: 'HOME_CAROUSEL', sort_order: 3, link_type: 'URL', link_url: 'https://shop.example.com/events/members-day' },
      { title: '热销榜', image_url: `${CDN}/strip-ranking.jpg`, position: 'HOME_STRIP', sort_order: 1, link_type: 'GROUP', link_group_id: ranking.id },
    ]);

    const tags: { id: string; name: string }[] = await trx('product_tags')
      .insert(TAGS.map((tag, index) => ({ name: tag.name, sort_order: index })))
      .returning(['id', 'name']);
    const tagId = new Map(tags.map((row) => [row.name, row.id]));
    await trx('product_tag_links').insert(TAGS.flatMap((tag) => ids(tag.products).map((id) => ({ tag_id: tagId.get(tag.name), product_id: id }))));
    // Products are found by their tags too (docs/search.md).
    await reindexProducts(trx, [...new Set(TAGS.flatMap((tag) => ids(tag.products)))]);

    await trx('hot_search_words').insert(HOT_WORDS.map((word, index) => ({ ...word, sort_order: index })));

    for (const [index, topic] of HELP.entries()) {
      const [row] = await trx('help_topics').insert({ title: topic.title, sort_order: index }).returning('id');
      await trx('help_questions').insert(topic.questions.map((q, n) => ({ topic_id: row.id, question: q.question, answer: q.answer, featured: q.featured ?? false, sort_order: n })));
    }

    // EAN-13-style codes on the first SKUs of the new arrivals (scan-to-find in store).
    const skus: { id: string }[] = await trx('skus').select('id').whereIn('product_id', ids(NEW_ARRIVALS)).whereNull('deleted_at').orderBy('id').limit(6);
    for (const [index, sku] of skus.entries()) await trx('skus').where('id', sku.id).update({ barcode: `69012345678${String(index).padStart(2, '0')}` });
  });
}
