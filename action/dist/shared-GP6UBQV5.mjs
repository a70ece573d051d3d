// Built by scripts/build-action.mjs from action/*.ts; do not edit.
import { createRequire as __dbforkCreateRequire } from 'node:module';
const require = __dbforkCreateRequire(import.meta.url);
import{a,b,c}from"./shared-2SRE2YC7.mjs";import"./shared-KBVJCPEJ.mjs";import"./shared-7AB5EOIC.mjs";import"./shared-NB5HNK5L.mjs";import"./shared-7IDF5IWM.mjs";import"./shared-MQDME7GE.mjs";import"./shared-LHC3EVW6.mjs";import"./shared-UIFLZ2HY.mjs";import"./shared-YYOCLQ6M.mjs";export{c as credentialsTreatedAsExpired,b as credentialsWillNeedRefresh,a as defaultProvider};
