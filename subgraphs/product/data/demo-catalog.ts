/**
 * Development demo catalog (never seeded with NODE_ENV=production; the launcher checks): a two-level category tree,
 * brands, products and their SKUs, generated deterministically and inserted in a handful of statements.
 * Idempotent: does nothing when any product exists.
 */
import { recordMissingInitialStock } from './stock';
import type { Knex } from 'knex';
import { reindexAll } from '../search-index';
import type { Config } from '../../../platform/config';

interface DemoProduct {
  title: string;
  brand: string;
  description: string;
  /** Base price in fen; variants add to it. */
  basePrice: number;
  /** The variant axes: every combination becomes one SKU. */
  axes: [string[], string[]];
  /** Extra fen per step along the second axis (bigger sizes, more capacity cost more). */
  step: number;
  onShelf?: boolean;
}

const COLORS = ['黑色', '白色', '藏青'];
const SIZES = ['S', 'M', 'L', 'XL'];
const SHOE_COLORS = ['黑白', '灰蓝'];
const SHOE_SIZES = ['39', '40', '41', '42', '43'];

export const DEMO_BRANDS = ['山野', '简居', '极光数码', '步履', '织物研究所', '厨道'];

/** Top-level category -> its children -> their products. */
export const DEMO_TREE: { name: string; children: { name: string; products: DemoProduct[] }[] }[] = [
  {
    name: '服装',
    children: [
      {
        name: 'T恤',
        products: [
          { title: '纯棉圆领短袖T恤', brand: '织物研究所', description: '新疆长绒棉，亲肤透气。', basePrice: 5900, axes: [COLORS, SIZES], step: 0 },
          { title: '速干运动T恤', brand: '山野', description: '吸湿速干面料，适合跑步与健身。', basePrice: 7900, axes: [COLORS, SIZES], step: 0 },
        ],
      },
      {
        name: '衬衫',
        products: [
          { title: '免烫商务长袖衬衫', brand: '织物研究所', description: '抗皱免烫，通勤百搭。', basePrice: 15900, axes: [COLORS, SIZES], step: 0 },
          { title: '亚麻休闲衬衫', brand: '简居', description: '天然亚麻，夏季清爽。', basePrice: 12900, axes: [COLORS, SIZES], step: 0 },
        ],
      },
      {
        name: '外套',
        products: [
          { title: '轻量防风夹克', brand: '山野', description: '防泼水面料，可收纳成小包。', basePrice: 29900, axes: [COLORS, SIZES], step: 1000 },
          { title: '90白鸭绒羽绒服', brand: '山野', description: '蓬松度 650+，零下 20 度保暖。', basePrice: 69900, axes: [COLORS, SIZES], step: 2000 },
        ],
      },
    ],
  },
  {
    name: '鞋靴',
    children: [
      {
        name: '运动鞋',
        products: [
          { title: '缓震跑步鞋', brand: '步履', description: '中底缓震科技，长距离跑步不累脚。', basePrice: 39900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
          { title: '轻便训练鞋', brand: '步履', description: '稳定支撑，适合室内训练。', basePrice: 29900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
          { title: '透气网面健步鞋', brand: '山野', description: '网面透气，日常健步。', basePrice: 19900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
        ],
      },
      {
        name: '休闲鞋',
        products: [
          { title: '经典帆布鞋', brand: '步履', description: '硫化鞋底，百搭经典。', basePrice: 12900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
          { title: '头层牛皮休闲鞋', brand: '步履', description: '头层牛皮，软底舒适。', basePrice: 45900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
          { title: '一脚蹬懒人鞋', brand: '简居', description: '免系带，轻松穿脱。', basePrice: 9900, axes: [SHOE_COLORS, SHOE_SIZES], step: 0 },
        ],
      },
    ],
  },
  {
    name: '数码',
    children: [
      {
        name: '耳机',
        products: [
          { title: '主动降噪蓝牙耳机', brand: '极光数码', description: '40dB 主动降噪，续航 30 小时。', basePrice: 59900, axes: [['星空黑', '云雾白', '湖水蓝', '樱花粉'], ['标准版', '无线充电版']], step: 5000 },
          { title: '运动挂耳式耳机', brand: '极光数码', description: 'IPX5 防水，运动不掉。', basePrice: 19900, axes: [['星空黑', '云雾白', '湖水蓝', '樱花粉'], ['标准版', '无线充电版']], step: 3000 },
        ],
      },
      {
        name: '充电设备',
        products: [
          { title: '氮化镓快充充电器', brand: '极光数码', description: '多口快充，小巧便携。', basePrice: 9900, axes: [['黑色', '白色'], ['33W', '65W', '100W', '140W']], step: 4000 },
          { title: '磁吸无线充电宝', brand: '极光数码', description: '磁吸对准，边充边用。', basePrice: 14900, axes: [['黑色', '白色'], ['5000mAh', '10000mAh', '20000mAh', '30000mAh']], step: 5000 },
        ],
      },
      {
        name: '手机配件',
        products: [
          { title: '液态硅胶手机壳', brand: '极光数码', description: '亲肤手感，全包防摔。', basePrice: 4900, axes: [['黑色', '白色', '薄荷绿', '奶茶色'], ['6.1英寸', '6.7英寸']], step: 500 },
          { title: '钢化玻璃膜（两片装）', brand: '极光数码', description: '高清防指纹，贴膜神器。', basePrice: 2900, axes: [['高清', '防窥', '磨砂', '蓝光'], ['6.1英寸', '6.7英寸']], step: 300 },
        ],
      },
    ],
  },
  {
    name: '家居',
    children: [
      {
        name: '床品',
        products: [
          { title: '60支长绒棉四件套', brand: '简居', description: '60 支长绒棉，丝滑亲肤。', basePrice: 39900, axes: [['月白', '雾蓝', '浅灰'], ['1.5米床', '1.8米床', '2.0米床']], step: 5000 },
          { title: '大豆纤维夏凉被', brand: '简居', description: '轻薄透气，可机洗。', basePrice: 19900, axes: [['月白', '雾蓝', '浅灰'], ['150x200', '200x230', '220x240']], step: 3000 },
        ],
      },
      {
        name: '厨具',
        products: [
          { title: '不粘炒锅', brand: '厨道', description: '少油烟不粘涂层，燃气电磁炉通用。', basePrice: 25900, axes: [['曜石黑', '香槟金', '墨绿'], ['28cm', '30cm', '32cm']], step: 2000 },
          { title: '德式不锈钢刀具套装', brand: '厨道', description: '一体锻造，锋利耐用。', basePrice: 35900, axes: [['银色', '黑柄', '木柄'], ['三件套', '五件套', '七件套']], step: 10000 },
        ],
      },
      {
        name: '收纳',
        products: [
          { title: '可折叠收纳箱', brand: '简居', description: '折叠省空间，带盖防尘。', basePrice: 3900, axes: [['米白', '浅灰', '雾蓝'], ['小号', '中号', '大号']], step: 1000 },
          { title: '真空压缩收纳袋', brand: '简居', description: '换季衣物被褥收纳。', basePrice: 4900, axes: [['透明', '磨砂', '印花'], ['5只装', '10只装', '15只装']], step: 2500 },
          { title: '桌面抽屉收纳盒', brand: '厨道', description: '多层抽屉，桌面整洁。', basePrice: 6900, axes: [['米白', '浅灰', '雾蓝'], ['两层', '三层', '四层']], step: 1500, onShelf: false },
        ],
      },
    ],
  },
];

/** Deterministic stock, 20..199, never zero: every on-shelf demo SKU can be bought. */
const demoStock = (productIndex: number, skuIndex: number) => 20 + ((productIndex * 37 + skuIndex * 53) % 180);

export async function seedDemoCatalog(db: Knex, _config: Config): Promise<void> {
  await db.transaction(async (trx) => {
    // Two instances starting together: the second waits here, then sees the first one's products.
    await trx.raw('LOCK TABLE products IN EXCLUSIVE MODE');
    const existing = await trx('products').select('id').first();
    if (existing) return;

    const tops: { id: string; name: string }[] = await trx('categories')
      .insert(DEMO_TREE.map((top, index) => ({ name: top.name, parent_id: null, sort_order: index })))
      .returning(['id', 'name']);
    const topId = new Map(tops.map((row) => [row.name, row.id]));
    const leaves: { id: string; name: string }[] = await trx('categories')
      .insert(
        DEMO_TREE.flatMap((top) =>
          top.children.map((child, index) => ({ name: child.name, parent_id: topId.get(top.name), sort_order: index })),
        ),
      )
      .returning(['id', 'name']);
    const leafId = new Map(leaves.map((row) => [row.name, row.id]));
    const brands: { id: string; name: string }[] = await trx('brands')
      .insert(DEMO_BRANDS.map((name, index) => ({ name, logo_url: `/images/brands/b${index + 1}.png`, sort_order: index })))
      .returning(['id', 'name']);
    const brandId = new Map(brands.map((row) => [row.name, row.id]));

    const demoProducts = DEMO_TREE.flatMap((top) => top.children.flatMap((child) => child.products.map((p) => ({ ...p, category: child.name }))));
    const products: { id: string; title: string }[] = await trx('products')
      .insert(
        demoProducts.map((p, index) => ({
          title: p.title,
          description: p.description,
          images: [1, 2, 3].map((n) => `/images/products/p${index + 1}-${n}.jpg`),
          category_id: leafId.get(p.category),
          brand_id: brandId.get(p.brand),
          on_shelf: p.onShelf ?? true,
        })),
      )
      .returning(['id', 'title']);
    const productId = new Map(products.map((row) => [row.title, row.id]));
    await trx('skus').insert(
      demoProducts.flatMap((p, productIndex) => {
        const [first, second] = p.axes;
        return first.flatMap((a, i) =>
          second.map((b, j) => {
            const skuIndex = i * second.length + j;
            return {
              product_id: productId.get(p.title),
              name: `${a} / ${b}`,
              price: p.basePrice + j * p.step,
              stock: demoStock(productIndex, skuIndex),
              sort_order: skuIndex,
            };
          }),
        );
      }),
    );
    await recordMissingInitialStock(trx);
    await reindexAll(trx);
  });
}
