// Built by scripts/build-action.mjs from action/*.ts; do not edit.
import { createRequire as __dbforkCreateRequire } from 'node:module';
const require = __dbforkCreateRequire(import.meta.url);
import{a,c as i}from"./shared-RDZ2T2M4.mjs";import"./shared-6ZOJ7J2X.mjs";import"./shared-2SRE2YC7.mjs";import"./shared-N5VAIP74.mjs";import"./shared-AAVT4GBK.mjs";import"./shared-KBVJCPEJ.mjs";import"./shared-FTBNEWUQ.mjs";import"./shared-7AB5EOIC.mjs";import"./shared-NB5HNK5L.mjs";import"./shared-7IDF5IWM.mjs";import"./shared-MQDME7GE.mjs";import"./shared-LHC3EVW6.mjs";import"./shared-UIFLZ2HY.mjs";import"./shared-YYOCLQ6M.mjs";await i(a);
