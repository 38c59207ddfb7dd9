/** Every Dockerfile rule, in id order. */
import type { Rule } from '../engine';
import { aptRules } from './apt';
import { commandRules } from './commands';
import { condaRules } from './conda';
import { copyRules } from './copy';
import { envRules } from './env';
import { fromRules } from './from';
import { pipRules } from './pip';
import { serverRules } from './servers';
import { userRules } from './user';
import { workdirRules } from './workdir';

export const DOCKERFILE_RULES: readonly Rule[] = [
  ...fromRules, ...pipRules, ...aptRules, ...condaRules, ...copyRules, ...envRules, ...serverRules, ...userRules, ...workdirRules, ...commandRules,
].sort((a, b) => a.id.localeCompare(b.id));
