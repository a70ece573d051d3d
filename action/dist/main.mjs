// Built by scripts/build-action.mjs from action/*.ts; do not edit.
import { createRequire as __dbforkCreateRequire } from 'node:module';
const require = __dbforkCreateRequire(import.meta.url);
import{a,c as i}from"./shared-NKA7ZJTJ.mjs";import"./shared-WVF4LLFO.mjs";import"./shared-3ISEZQQM.mjs";import"./shared-7IDF5IWM.mjs";import"./shared-LHC3EVW6.mjs";import"./shared-UIFLZ2HY.mjs";import"./shared-YYOCLQ6M.mjs";await i(a);
