import { z } from "zod";

/** The languages a tenant's mail can be in (CONTRACT.md `Tenant.locale`). */
export const locales = ["ko", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "ko";

export const localeSchema = z.enum(locales).describe('The language of the tenant\'s mail: "ko" (Korean) or "en" (English).');
