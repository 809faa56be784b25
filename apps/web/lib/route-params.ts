/** A dynamic route segment as text (decoded once; undefined when it is not valid percent-encoding). */
export function routeParam(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
