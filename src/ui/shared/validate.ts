/** Input-box validation from the pure parsers: a parser's error message becomes the box's message. */

/**
 * Validates by parsing: undefined when `parse` accepts the text, else its error message.
 * With `nonEmpty`, a parse that yields an empty list is refused with that message.
 */
export function validator<T>(parse: (text: string) => T, nonEmpty?: string): (text: string) => string | undefined {
  return (text) => {
    try {
      const parsed = parse(text);
      return nonEmpty && Array.isArray(parsed) && parsed.length === 0 ? nonEmpty : undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}
