import { and, asc, desc, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  type LoanProduct,
  type LoanProductVersion,
  loanProducts,
  loanProductVersions,
} from "../../../db/schema";
import { appendAudit, type RequestMeta } from "../../audit/log";
import { conflict, notFound, unprocessable } from "../../errors";
import type { LoanSettings } from "../settings";
import type { ProductFields, ProductView } from "./schemas";
import { checkProductTerms, defaultProductTerms, type ProductTerms, pricingFromList } from "./terms";
import { toProductView } from "./views";

/** What the products service reads from the configuration: the LOAN_* settings the default product is seeded from. */
export type ProductDeps = { settings: LoanSettings };

/** The product and the version a loan is priced on. */
export type PricedProduct = { product: LoanProduct; version: LoanProductVersion };

/**
 * Makes sure the default product exists, seeded from the LOAN_* settings, and returns its id. Idempotent and safe
 * to race: the one-default unique index lets a single insert win. Once seeded, the default product changes only
 * through the API (new versions), so existing clients keep their terms across restarts.
 */
export async function ensureDefaultProduct(db: Database, deps: ProductDeps): Promise<string> {
  const existing = await defaultProductId(db);
  if (existing) return existing;
  await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(loanProducts)
      .values({ isDefault: true, currentVersion: 1 })
      .onConflictDoNothing()
      .returning({ id: loanProducts.id });
    if (created) {
      await tx
        .insert(loanProductVersions)
        .values({ ...defaultProductTerms(deps.settings), productId: created.id, version: 1 });
    }
  });
  const seeded = await defaultProductId(db);
  if (!seeded) throw new Error("the default loan product could not be seeded");
  return seeded;
}

async function defaultProductId(db: Database): Promise<string | null> {
  const [row] = await db
    .select({ id: loanProducts.id })
    .from(loanProducts)
    .where(eq(loanProducts.isDefault, true));
  return row?.id ?? null;
}

/** A product (by id, or the default one) with its current version. */
async function currentVersion(
  db: Database,
  product: { id: string } | "default",
): Promise<PricedProduct | null> {
  const [row] = await db
    .select({ product: loanProducts, version: loanProductVersions })
    .from(loanProducts)
    .innerJoin(
      loanProductVersions,
      and(
        eq(loanProductVersions.productId, loanProducts.id),
        eq(loanProductVersions.version, loanProducts.currentVersion),
      ),
    )
    .where(product === "default" ? eq(loanProducts.isDefault, true) : eq(loanProducts.id, product.id));
  return row ?? null;
}

export type ProductForLoanParams = { productId?: string | null };

/**
 * The product version a new loan (or a quote) is priced on: the named product's current version, or the
 * default product's. A retired product takes no new loans (422 PRODUCT_RETIRED); an unknown one is a 404.
 */
export async function productForLoan(
  db: Database,
  deps: ProductDeps,
  params: ProductForLoanParams,
): Promise<PricedProduct> {
  // The default product is seeded at start-up: one query finds it with its terms, and only a database that
  // missed the seeding pays for seeding it here.
  const found = params.productId
    ? await currentVersion(db, { id: params.productId })
    : ((await currentVersion(db, "default")) ??
      (await currentVersion(db, { id: await ensureDefaultProduct(db, deps) })));
  if (!found) throw notFound("Loan product");
  if (found.product.status === "retired") {
    throw unprocessable("PRODUCT_RETIRED", "This loan product is retired and takes no new loans", {
      productId: found.product.id,
    });
  }
  return found;
}

export type ListProductsParams = { includeRetired?: boolean };

/** Products with their current terms, the default first, then by creation. */
export async function listProducts(
  db: Database,
  deps: ProductDeps,
  params: ListProductsParams = {},
): Promise<ProductView[]> {
  await ensureDefaultProduct(db, deps);
  const rows = await db
    .select({ product: loanProducts, version: loanProductVersions })
    .from(loanProducts)
    .innerJoin(
      loanProductVersions,
      and(
        eq(loanProductVersions.productId, loanProducts.id),
        eq(loanProductVersions.version, loanProducts.currentVersion),
      ),
    )
    .where(params.includeRetired ? undefined : eq(loanProducts.status, "active"))
    .orderBy(desc(loanProducts.isDefault), asc(loanProducts.createdAt), asc(loanProducts.id));
  return rows.map((row) => toProductView(row.product, row.version));
}

/** The request's fields over `base`: what is left out keeps the base's value. */
function mergeTerms(base: ProductTerms, fields: ProductFields): ProductTerms {
  return {
    name: fields.name ?? base.name,
    minAmountCents: fields.minAmount ?? base.minAmountCents,
    maxAmountCents: fields.maxAmount ?? base.maxAmountCents,
    minTermMonths: fields.minTermMonths ?? base.minTermMonths,
    maxTermMonths: fields.maxTermMonths ?? base.maxTermMonths,
    scheduleType: fields.scheduleType ?? base.scheduleType,
    scoreFloor: fields.scoreFloor ?? base.scoreFloor,
    maxDtiBasisPoints: fields.maxDtiPercent ?? base.maxDtiBasisPoints,
    graceDays: fields.graceDays ?? base.graceDays,
    originationFeeBasisPoints: fields.originationFeePercent ?? base.originationFeeBasisPoints,
    originationFeeFixedCents: fields.originationFeeFixed ?? base.originationFeeFixedCents,
    originationFeeFinanced: fields.originationFeeFinanced ?? base.originationFeeFinanced,
    lateFeeFixedCents: fields.lateFeeFixed ?? base.lateFeeFixedCents,
    lateFeeBasisPoints: fields.lateFeePercent ?? base.lateFeeBasisPoints,
    lateFeeCapCents: fields.lateFeeCap === undefined ? base.lateFeeCapCents : fields.lateFeeCap,
    pricing: fields.pricing ? pricingFromList(fields.pricing) : base.pricing,
  };
}

function versionTerms(version: LoanProductVersion): ProductTerms {
  const { productId: _id, version: _n, createdBy: _by, createdAt: _at, ...terms } = version;
  return terms;
}

export type CreateProductParams = { meta: RequestMeta; actorId: string; fields: ProductFields };

/** A new product at version 1; every field left out takes the default product's current value. Audited. */
export async function createProduct(
  db: Database,
  deps: ProductDeps,
  params: CreateProductParams,
): Promise<ProductView> {
  const defaultId = await ensureDefaultProduct(db, deps);
  return db.transaction(async (tx) => {
    const base = await currentVersion(tx, { id: defaultId });
    if (!base) throw new Error("the default loan product has no current version");
    const terms = mergeTerms(versionTerms(base.version), params.fields);
    checkProductTerms(terms, deps.settings.delinquency);
    const [product] = await tx.insert(loanProducts).values({ currentVersion: 1 }).returning();
    if (!product) throw new Error("loan product insert returned no row");
    const [version] = await tx
      .insert(loanProductVersions)
      .values({ ...terms, productId: product.id, version: 1, createdBy: params.actorId })
      .returning();
    if (!version) throw new Error("loan product version insert returned no row");
    await appendAudit(tx, params.meta, {
      action: "loan_product.created",
      subjectType: "loan_product",
      subjectId: product.id,
      details: { version: 1, terms },
    });
    return toProductView(product, version);
  });
}

export type UpdateProductParams = {
  meta: RequestMeta;
  actorId: string;
  productId: string;
  fields: ProductFields;
  status?: LoanProduct["status"];
};

/**
 * Edits a product: any term given makes a new version (loans already made keep theirs); `status` retires or
 * reinstates it. The default product cannot be retired (409), since requests without a productId use it. Audited.
 */
export async function updateProduct(
  db: Database,
  deps: ProductDeps,
  params: UpdateProductParams,
): Promise<ProductView> {
  return db.transaction(async (tx) => {
    const [locked] = await tx
      .select()
      .from(loanProducts)
      .where(eq(loanProducts.id, params.productId))
      .for("update");
    if (!locked) throw notFound("Loan product");
    const current = await currentVersion(tx, { id: locked.id });
    if (!current) throw new Error("loan product has no current version");
    if (params.status === "retired" && locked.isDefault) {
      throw conflict("DEFAULT_PRODUCT_NOT_RETIRABLE", "The default product cannot be retired");
    }
    const edits = Object.values(params.fields).some((value) => value !== undefined);
    let version = current.version;
    if (edits) {
      const terms = mergeTerms(versionTerms(current.version), params.fields);
      checkProductTerms(terms, deps.settings.delinquency);
      const [inserted] = await tx
        .insert(loanProductVersions)
        .values({
          ...terms,
          productId: locked.id,
          version: locked.currentVersion + 1,
          createdBy: params.actorId,
        })
        .returning();
      if (!inserted) throw new Error("loan product version insert returned no row");
      version = inserted;
    }
    const [product] = await tx
      .update(loanProducts)
      .set({ currentVersion: version.version, status: params.status ?? locked.status, updatedAt: new Date() })
      .where(eq(loanProducts.id, locked.id))
      .returning();
    if (!product) throw new Error("loan product update returned no row");
    await appendAudit(tx, params.meta, {
      action: params.status === "retired" ? "loan_product.retired" : "loan_product.updated",
      subjectType: "loan_product",
      subjectId: locked.id,
      details: {
        fromVersion: current.version.version,
        version: version.version,
        status: product.status,
        fields: Object.keys(params.fields).filter(
          (key) => params.fields[key as keyof ProductFields] !== undefined,
        ),
      },
    });
    return toProductView(product, version);
  });
}
