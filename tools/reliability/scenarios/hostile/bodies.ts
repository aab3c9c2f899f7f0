import fc from 'fast-check';
import { BODY_LIMIT, contentType, validPayload, type Recipe } from './recipe';

/** Requests by their body and method: unsigned JSON, bodies around the limit, methods other than POST. */
export const bodyRecipes: fc.WeightedArbitrary<Recipe>[] = [
  {
    weight: 3,
    arbitrary: contentType.map((ct): Recipe => ({
      kind: 'token',
      category: 'unsigned-json',
      signing: 'hs256',
      rawPayload: 'UNSIGNED',
      contentType: ct,
      expect: 401,
    })),
  },
  {
    // Unverified bodies past the old 256 KiB limit: 401 up to 2 MiB, 413 above (set in materialise).
    weight: 2,
    arbitrary: fc
      .record({
        size: fc.oneof(
          fc.integer({ min: 262_145, max: BODY_LIMIT }),
          fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 600_000 }),
          fc.constantFrom(BODY_LIMIT, BODY_LIMIT + 1),
        ),
        ch: fc.constantFrom('a', '{', '[', 'e'),
      })
      .map((r): Recipe => ({
        kind: 'raw',
        category: 'oversized',
        method: 'POST',
        body: r.ch.repeat(r.size),
        contentType: 'application/jwt',
        expect: 401,
      })),
  },
  {
    // Verified events of 256 KiB to 2 MiB are taken (the limit was 256 KiB): a big unknown field,
    // or a transcription of up to 200,000 characters written as \u escapes (about 1.6 MB as a JWS,
    // the largest event the text limits allow). Past 2 MiB: 413 (set in materialise).
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.integer({ min: 200_000, max: 1_700_000 }).map((chars) => ({ field: 'custom_data' as const, chars })),
        fc.integer({ min: 33_000, max: 200_000 }).map((chars) => ({ field: 'transcription_text' as const, chars })),
      )
      .chain((padding) =>
        fc.record({ linked: fc.boolean(), contentType }).map((r): Recipe => ({
          ...validPayload,
          category: 'large-verified',
          padding,
          linkedOffice: r.linked,
          contentType: r.contentType,
          expect: 200,
        })),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'), contentType })
      .map((r): Recipe => ({
        kind: 'raw',
        category: 'wrong-method',
        method: r.method,
        body: r.method === 'GET' || r.method === 'DELETE' ? null : 'x',
        contentType: r.contentType,
        expect: '4xx',
      })),
  },
];
