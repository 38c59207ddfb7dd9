/**
 * Semantic token legend of dockerfile-language-service 0.16 (`TokensLegend.init`, in its
 * numbering order): the tokens it returns index these lists. Kept apart from the library so
 * the editor can register its provider without loading the library.
 */
export const SEMANTIC_TOKEN_TYPES_LEGEND = ['keyword', 'comment', 'parameter', 'property', 'namespace', 'class', 'macro', 'string', 'variable', 'operator', 'modifier'];
export const SEMANTIC_TOKEN_MODIFIERS_LEGEND = ['declaration', 'definition', 'deprecated'];
