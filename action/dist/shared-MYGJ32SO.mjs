// Built by scripts/build-action.mjs from action/*.ts; do not edit.
import { createRequire as __dbforkCreateRequire } from 'node:module';
const require = __dbforkCreateRequire(import.meta.url);
import{C as m,D as o}from"./shared-W57O5X6D.mjs";import"./shared-QSUJ7FSX.mjs";import"./shared-N5VAIP74.mjs";import"./shared-AAVT4GBK.mjs";import"./shared-FTBNEWUQ.mjs";import"./shared-7AB5EOIC.mjs";import"./shared-NB5HNK5L.mjs";import"./shared-7IDF5IWM.mjs";import"./shared-MQDME7GE.mjs";import"./shared-LHC3EVW6.mjs";import"./shared-UIFLZ2HY.mjs";import"./shared-YYOCLQ6M.mjs";export{o as AssumeRoleCommand,m as STSClient};
