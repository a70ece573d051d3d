// Built by scripts/build-action.mjs from action/*.ts; do not edit.
import { createRequire as __dbforkCreateRequire } from 'node:module';
const require = __dbforkCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./shared-KBVJCPEJ.mjs";import"./shared-7AB5EOIC.mjs";import"./shared-NB5HNK5L.mjs";import"./shared-7IDF5IWM.mjs";import"./shared-MQDME7GE.mjs";import"./shared-LHC3EVW6.mjs";import"./shared-UIFLZ2HY.mjs";import"./shared-YYOCLQ6M.mjs";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
