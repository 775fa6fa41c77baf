// GENERATED from kernel/config/schema.ts by scripts/gen-config-validator.mjs — do not edit.
// Regenerate: node --import tsx scripts/gen-config-validator.mjs
/* eslint-disable */
// @ts-nocheck
import { createRequire } from 'node:module';
// ajv's standalone output loads its tiny runtime helpers (ucs2length) with require().
const require = createRequire(import.meta.url);
"use strict";
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"required":[],"properties":{"api":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"listen":{"type":"string","default":"127.0.0.1:9847","minLength":1},"token":{"type":"string","default":""},"proxy_bind":{"type":"string","default":"127.0.0.1"},"body_limit":{"type":"integer","default":1048576,"minimum":1}}},"network":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"range":{"type":"string","default":"10.0.0.0/8"},"subnet_size":{"type":"integer","default":16,"minimum":1,"maximum":30},"base_offset":{"type":"string","default":"10.10.0.0"},"metallb_host_offset":{"type":"string","default":"10.10"},"host_interface":{"type":"string","default":""}}},"docker":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"dns":{"type":"array","items":{"type":"string"},"default":[]},"log_max_size":{"type":"string","default":"50m"},"log_max_file":{"type":"integer","default":3},"proxy":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"http":{"type":"string","default":""},"https":{"type":"string","default":""},"no_proxy":{"type":"string","default":""}}}}},"plugins":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"dir":{"type":"string","default":"/usr/local/lib/dockersnap/plugins","minLength":1},"health_poll_interval":{"type":"string","default":"30s"},"health_failure_threshold":{"type":"integer","default":3},"timeouts":{"type":"object","default":{},"additionalProperties":false,"required":[],"properties":{"init":{"type":"string","default":"10s"},"schema":{"type":"string","default":"5s"},"validate":{"type":"string","default":"30s"},"deploy":{"type":"string","default":"600s"},"teardown":{"type":"string","default":"120s"},"access":{"type":"string","default":"10s"},"describe":{"type":"string","default":"10s"},"health":{"type":"string","default":"10s"}}},"disabled":{"type":"array","items":{"type":"string","pattern":"^[a-z][a-z0-9-]{1,63}$"},"default":[]},"required":{"type":"array","items":{"type":"string","pattern":"^[a-z][a-z0-9-]{1,63}$"},"default":[]},"config":{"type":"object","default":{},"required":[],"propertyNames":{"type":"string","pattern":"^[a-z][a-z0-9-]{1,63}$"},"additionalProperties":{"type":"object","required":[]}},"cache_dir":{"type":"string","default":"/var/lib/dockersnap/plugin-cache","minLength":1},"hook_timeout":{"type":"string","default":"60s"},"setup_timeout":{"type":"string","default":"30s"}}},"capabilities":{"type":"object","default":{},"required":[],"propertyNames":{"type":"string","pattern":"^[a-z][a-zA-Z0-9]{1,40}$"},"properties":{"storage":{"type":"string","pattern":"^[a-z][a-z0-9-]{1,63}$","default":"storage-btrfs"}},"additionalProperties":{"type":"string","pattern":"^[a-z][a-z0-9-]{1,63}$"}},"state_file":{"type":"string","default":"/var/lib/dockersnap/state.json","minLength":1},"run_dir":{"type":"string","default":"/run/dockersnap","minLength":1},"data_dir":{"type":"string","default":"/var/lib/dockersnap","minLength":1},"log_level":{"type":"string","default":""}}};
const func2 = require("ajv/dist/runtime/ucs2length").default;
const func3 = Object.prototype.hasOwnProperty;
const pattern0 = new RegExp("^[a-z][a-z0-9-]{1,63}$", "u");
const pattern3 = new RegExp("^[a-z][a-zA-Z0-9]{1,40}$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.api === undefined){
data.api = {};
}
if(data.network === undefined){
data.network = {};
}
if(data.docker === undefined){
data.docker = {};
}
if(data.plugins === undefined){
data.plugins = {};
}
if(data.capabilities === undefined){
data.capabilities = {};
}
if(data.state_file === undefined){
data.state_file = "/var/lib/dockersnap/state.json";
}
if(data.run_dir === undefined){
data.run_dir = "/run/dockersnap";
}
if(data.data_dir === undefined){
data.data_dir = "/var/lib/dockersnap";
}
if(data.log_level === undefined){
data.log_level = "";
}
let data0 = data.api;
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
if(data0.listen === undefined){
data0.listen = "127.0.0.1:9847";
}
if(data0.token === undefined){
data0.token = "";
}
if(data0.proxy_bind === undefined){
data0.proxy_bind = "127.0.0.1";
}
if(data0.body_limit === undefined){
data0.body_limit = 1048576;
}
for(const key0 in data0){
if(!((((key0 === "listen") || (key0 === "token")) || (key0 === "proxy_bind")) || (key0 === "body_limit"))){
delete data0[key0];
}
}
let data1 = data0.listen;
if(typeof data1 !== "string"){
let dataType0 = typeof data1;
let coerced0 = undefined;
if(!(coerced0 !== undefined)){
if(dataType0 == "number" || dataType0 == "boolean"){
coerced0 = "" + data1;
}
else if(data1 === null){
coerced0 = "";
}
else {
const err0 = {instancePath:instancePath+"/api/listen",schemaPath:"#/properties/api/properties/listen/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.api.properties.listen.type,parentSchema:schema11.properties.api.properties.listen,data:data1};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(coerced0 !== undefined){
data1 = coerced0;
if(data0 !== undefined){
data0["listen"] = coerced0;
}
}
}
if(typeof data1 === "string"){
if(func2(data1) < 1){
const err1 = {instancePath:instancePath+"/api/listen",schemaPath:"#/properties/api/properties/listen/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.api.properties.listen,data:data1};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
let data2 = data0.token;
if(typeof data2 !== "string"){
let dataType1 = typeof data2;
let coerced1 = undefined;
if(!(coerced1 !== undefined)){
if(dataType1 == "number" || dataType1 == "boolean"){
coerced1 = "" + data2;
}
else if(data2 === null){
coerced1 = "";
}
else {
const err2 = {instancePath:instancePath+"/api/token",schemaPath:"#/properties/api/properties/token/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.api.properties.token.type,parentSchema:schema11.properties.api.properties.token,data:data2};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(coerced1 !== undefined){
data2 = coerced1;
if(data0 !== undefined){
data0["token"] = coerced1;
}
}
}
let data3 = data0.proxy_bind;
if(typeof data3 !== "string"){
let dataType2 = typeof data3;
let coerced2 = undefined;
if(!(coerced2 !== undefined)){
if(dataType2 == "number" || dataType2 == "boolean"){
coerced2 = "" + data3;
}
else if(data3 === null){
coerced2 = "";
}
else {
const err3 = {instancePath:instancePath+"/api/proxy_bind",schemaPath:"#/properties/api/properties/proxy_bind/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.api.properties.proxy_bind.type,parentSchema:schema11.properties.api.properties.proxy_bind,data:data3};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(coerced2 !== undefined){
data3 = coerced2;
if(data0 !== undefined){
data0["proxy_bind"] = coerced2;
}
}
}
let data4 = data0.body_limit;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
let dataType3 = typeof data4;
let coerced3 = undefined;
if(!(coerced3 !== undefined)){
if(dataType3 === "boolean" || data4 === null
              || (dataType3 === "string" && data4 && data4 == +data4 && !(data4 % 1))){
coerced3 = +data4;
}
else {
const err4 = {instancePath:instancePath+"/api/body_limit",schemaPath:"#/properties/api/properties/body_limit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.api.properties.body_limit.type,parentSchema:schema11.properties.api.properties.body_limit,data:data4};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(coerced3 !== undefined){
data4 = coerced3;
if(data0 !== undefined){
data0["body_limit"] = coerced3;
}
}
}
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 < 1 || isNaN(data4)){
const err5 = {instancePath:instancePath+"/api/body_limit",schemaPath:"#/properties/api/properties/body_limit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.api.properties.body_limit,data:data4};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
}
else {
const err6 = {instancePath:instancePath+"/api",schemaPath:"#/properties/api/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.api.type,parentSchema:schema11.properties.api,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
let data5 = data.network;
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
if(data5.range === undefined){
data5.range = "10.0.0.0/8";
}
if(data5.subnet_size === undefined){
data5.subnet_size = 16;
}
if(data5.base_offset === undefined){
data5.base_offset = "10.10.0.0";
}
if(data5.metallb_host_offset === undefined){
data5.metallb_host_offset = "10.10";
}
if(data5.host_interface === undefined){
data5.host_interface = "";
}
for(const key1 in data5){
if(!(((((key1 === "range") || (key1 === "subnet_size")) || (key1 === "base_offset")) || (key1 === "metallb_host_offset")) || (key1 === "host_interface"))){
delete data5[key1];
}
}
let data6 = data5.range;
if(typeof data6 !== "string"){
let dataType4 = typeof data6;
let coerced4 = undefined;
if(!(coerced4 !== undefined)){
if(dataType4 == "number" || dataType4 == "boolean"){
coerced4 = "" + data6;
}
else if(data6 === null){
coerced4 = "";
}
else {
const err7 = {instancePath:instancePath+"/network/range",schemaPath:"#/properties/network/properties/range/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.network.properties.range.type,parentSchema:schema11.properties.network.properties.range,data:data6};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(coerced4 !== undefined){
data6 = coerced4;
if(data5 !== undefined){
data5["range"] = coerced4;
}
}
}
let data7 = data5.subnet_size;
if(!(((typeof data7 == "number") && (!(data7 % 1) && !isNaN(data7))) && (isFinite(data7)))){
let dataType5 = typeof data7;
let coerced5 = undefined;
if(!(coerced5 !== undefined)){
if(dataType5 === "boolean" || data7 === null
              || (dataType5 === "string" && data7 && data7 == +data7 && !(data7 % 1))){
coerced5 = +data7;
}
else {
const err8 = {instancePath:instancePath+"/network/subnet_size",schemaPath:"#/properties/network/properties/subnet_size/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.network.properties.subnet_size.type,parentSchema:schema11.properties.network.properties.subnet_size,data:data7};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(coerced5 !== undefined){
data7 = coerced5;
if(data5 !== undefined){
data5["subnet_size"] = coerced5;
}
}
}
if((typeof data7 == "number") && (isFinite(data7))){
if(data7 > 30 || isNaN(data7)){
const err9 = {instancePath:instancePath+"/network/subnet_size",schemaPath:"#/properties/network/properties/subnet_size/maximum",keyword:"maximum",params:{comparison: "<=", limit: 30},message:"must be <= 30",schema:30,parentSchema:schema11.properties.network.properties.subnet_size,data:data7};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data7 < 1 || isNaN(data7)){
const err10 = {instancePath:instancePath+"/network/subnet_size",schemaPath:"#/properties/network/properties/subnet_size/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.network.properties.subnet_size,data:data7};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
let data8 = data5.base_offset;
if(typeof data8 !== "string"){
let dataType6 = typeof data8;
let coerced6 = undefined;
if(!(coerced6 !== undefined)){
if(dataType6 == "number" || dataType6 == "boolean"){
coerced6 = "" + data8;
}
else if(data8 === null){
coerced6 = "";
}
else {
const err11 = {instancePath:instancePath+"/network/base_offset",schemaPath:"#/properties/network/properties/base_offset/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.network.properties.base_offset.type,parentSchema:schema11.properties.network.properties.base_offset,data:data8};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(coerced6 !== undefined){
data8 = coerced6;
if(data5 !== undefined){
data5["base_offset"] = coerced6;
}
}
}
let data9 = data5.metallb_host_offset;
if(typeof data9 !== "string"){
let dataType7 = typeof data9;
let coerced7 = undefined;
if(!(coerced7 !== undefined)){
if(dataType7 == "number" || dataType7 == "boolean"){
coerced7 = "" + data9;
}
else if(data9 === null){
coerced7 = "";
}
else {
const err12 = {instancePath:instancePath+"/network/metallb_host_offset",schemaPath:"#/properties/network/properties/metallb_host_offset/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.network.properties.metallb_host_offset.type,parentSchema:schema11.properties.network.properties.metallb_host_offset,data:data9};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(coerced7 !== undefined){
data9 = coerced7;
if(data5 !== undefined){
data5["metallb_host_offset"] = coerced7;
}
}
}
let data10 = data5.host_interface;
if(typeof data10 !== "string"){
let dataType8 = typeof data10;
let coerced8 = undefined;
if(!(coerced8 !== undefined)){
if(dataType8 == "number" || dataType8 == "boolean"){
coerced8 = "" + data10;
}
else if(data10 === null){
coerced8 = "";
}
else {
const err13 = {instancePath:instancePath+"/network/host_interface",schemaPath:"#/properties/network/properties/host_interface/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.network.properties.host_interface.type,parentSchema:schema11.properties.network.properties.host_interface,data:data10};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(coerced8 !== undefined){
data10 = coerced8;
if(data5 !== undefined){
data5["host_interface"] = coerced8;
}
}
}
}
else {
const err14 = {instancePath:instancePath+"/network",schemaPath:"#/properties/network/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.network.type,parentSchema:schema11.properties.network,data:data5};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
let data11 = data.docker;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
if(data11.dns === undefined){
data11.dns = [];
}
if(data11.log_max_size === undefined){
data11.log_max_size = "50m";
}
if(data11.log_max_file === undefined){
data11.log_max_file = 3;
}
if(data11.proxy === undefined){
data11.proxy = {};
}
for(const key2 in data11){
if(!((((key2 === "dns") || (key2 === "log_max_size")) || (key2 === "log_max_file")) || (key2 === "proxy"))){
delete data11[key2];
}
}
let data12 = data11.dns;
if(Array.isArray(data12)){
const len0 = data12.length;
for(let i0=0; i0<len0; i0++){
let data13 = data12[i0];
if(typeof data13 !== "string"){
let dataType9 = typeof data13;
let coerced9 = undefined;
if(!(coerced9 !== undefined)){
if(dataType9 == "number" || dataType9 == "boolean"){
coerced9 = "" + data13;
}
else if(data13 === null){
coerced9 = "";
}
else {
const err15 = {instancePath:instancePath+"/docker/dns/" + i0,schemaPath:"#/properties/docker/properties/dns/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.dns.items.type,parentSchema:schema11.properties.docker.properties.dns.items,data:data13};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(coerced9 !== undefined){
data13 = coerced9;
if(data12 !== undefined){
data12[i0] = coerced9;
}
}
}
}
}
else {
const err16 = {instancePath:instancePath+"/docker/dns",schemaPath:"#/properties/docker/properties/dns/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.docker.properties.dns.type,parentSchema:schema11.properties.docker.properties.dns,data:data12};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
let data14 = data11.log_max_size;
if(typeof data14 !== "string"){
let dataType10 = typeof data14;
let coerced10 = undefined;
if(!(coerced10 !== undefined)){
if(dataType10 == "number" || dataType10 == "boolean"){
coerced10 = "" + data14;
}
else if(data14 === null){
coerced10 = "";
}
else {
const err17 = {instancePath:instancePath+"/docker/log_max_size",schemaPath:"#/properties/docker/properties/log_max_size/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.log_max_size.type,parentSchema:schema11.properties.docker.properties.log_max_size,data:data14};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(coerced10 !== undefined){
data14 = coerced10;
if(data11 !== undefined){
data11["log_max_size"] = coerced10;
}
}
}
let data15 = data11.log_max_file;
if(!(((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15))) && (isFinite(data15)))){
let dataType11 = typeof data15;
let coerced11 = undefined;
if(!(coerced11 !== undefined)){
if(dataType11 === "boolean" || data15 === null
              || (dataType11 === "string" && data15 && data15 == +data15 && !(data15 % 1))){
coerced11 = +data15;
}
else {
const err18 = {instancePath:instancePath+"/docker/log_max_file",schemaPath:"#/properties/docker/properties/log_max_file/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.docker.properties.log_max_file.type,parentSchema:schema11.properties.docker.properties.log_max_file,data:data15};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(coerced11 !== undefined){
data15 = coerced11;
if(data11 !== undefined){
data11["log_max_file"] = coerced11;
}
}
}
let data16 = data11.proxy;
if(data16 && typeof data16 == "object" && !Array.isArray(data16)){
if(data16.http === undefined){
data16.http = "";
}
if(data16.https === undefined){
data16.https = "";
}
if(data16.no_proxy === undefined){
data16.no_proxy = "";
}
for(const key3 in data16){
if(!(((key3 === "http") || (key3 === "https")) || (key3 === "no_proxy"))){
delete data16[key3];
}
}
let data17 = data16.http;
if(typeof data17 !== "string"){
let dataType12 = typeof data17;
let coerced12 = undefined;
if(!(coerced12 !== undefined)){
if(dataType12 == "number" || dataType12 == "boolean"){
coerced12 = "" + data17;
}
else if(data17 === null){
coerced12 = "";
}
else {
const err19 = {instancePath:instancePath+"/docker/proxy/http",schemaPath:"#/properties/docker/properties/proxy/properties/http/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.proxy.properties.http.type,parentSchema:schema11.properties.docker.properties.proxy.properties.http,data:data17};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(coerced12 !== undefined){
data17 = coerced12;
if(data16 !== undefined){
data16["http"] = coerced12;
}
}
}
let data18 = data16.https;
if(typeof data18 !== "string"){
let dataType13 = typeof data18;
let coerced13 = undefined;
if(!(coerced13 !== undefined)){
if(dataType13 == "number" || dataType13 == "boolean"){
coerced13 = "" + data18;
}
else if(data18 === null){
coerced13 = "";
}
else {
const err20 = {instancePath:instancePath+"/docker/proxy/https",schemaPath:"#/properties/docker/properties/proxy/properties/https/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.proxy.properties.https.type,parentSchema:schema11.properties.docker.properties.proxy.properties.https,data:data18};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(coerced13 !== undefined){
data18 = coerced13;
if(data16 !== undefined){
data16["https"] = coerced13;
}
}
}
let data19 = data16.no_proxy;
if(typeof data19 !== "string"){
let dataType14 = typeof data19;
let coerced14 = undefined;
if(!(coerced14 !== undefined)){
if(dataType14 == "number" || dataType14 == "boolean"){
coerced14 = "" + data19;
}
else if(data19 === null){
coerced14 = "";
}
else {
const err21 = {instancePath:instancePath+"/docker/proxy/no_proxy",schemaPath:"#/properties/docker/properties/proxy/properties/no_proxy/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.proxy.properties.no_proxy.type,parentSchema:schema11.properties.docker.properties.proxy.properties.no_proxy,data:data19};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(coerced14 !== undefined){
data19 = coerced14;
if(data16 !== undefined){
data16["no_proxy"] = coerced14;
}
}
}
}
else {
const err22 = {instancePath:instancePath+"/docker/proxy",schemaPath:"#/properties/docker/properties/proxy/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.docker.properties.proxy.type,parentSchema:schema11.properties.docker.properties.proxy,data:data16};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/docker",schemaPath:"#/properties/docker/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.docker.type,parentSchema:schema11.properties.docker,data:data11};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
let data20 = data.plugins;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.dir === undefined){
data20.dir = "/usr/local/lib/dockersnap/plugins";
}
if(data20.health_poll_interval === undefined){
data20.health_poll_interval = "30s";
}
if(data20.health_failure_threshold === undefined){
data20.health_failure_threshold = 3;
}
if(data20.timeouts === undefined){
data20.timeouts = {};
}
if(data20.disabled === undefined){
data20.disabled = [];
}
if(data20.required === undefined){
data20.required = [];
}
if(data20.config === undefined){
data20.config = {};
}
if(data20.cache_dir === undefined){
data20.cache_dir = "/var/lib/dockersnap/plugin-cache";
}
if(data20.hook_timeout === undefined){
data20.hook_timeout = "60s";
}
if(data20.setup_timeout === undefined){
data20.setup_timeout = "30s";
}
for(const key4 in data20){
if(!(func3.call(schema11.properties.plugins.properties, key4))){
delete data20[key4];
}
}
let data21 = data20.dir;
if(typeof data21 !== "string"){
let dataType15 = typeof data21;
let coerced15 = undefined;
if(!(coerced15 !== undefined)){
if(dataType15 == "number" || dataType15 == "boolean"){
coerced15 = "" + data21;
}
else if(data21 === null){
coerced15 = "";
}
else {
const err24 = {instancePath:instancePath+"/plugins/dir",schemaPath:"#/properties/plugins/properties/dir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.dir.type,parentSchema:schema11.properties.plugins.properties.dir,data:data21};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(coerced15 !== undefined){
data21 = coerced15;
if(data20 !== undefined){
data20["dir"] = coerced15;
}
}
}
if(typeof data21 === "string"){
if(func2(data21) < 1){
const err25 = {instancePath:instancePath+"/plugins/dir",schemaPath:"#/properties/plugins/properties/dir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.plugins.properties.dir,data:data21};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
let data22 = data20.health_poll_interval;
if(typeof data22 !== "string"){
let dataType16 = typeof data22;
let coerced16 = undefined;
if(!(coerced16 !== undefined)){
if(dataType16 == "number" || dataType16 == "boolean"){
coerced16 = "" + data22;
}
else if(data22 === null){
coerced16 = "";
}
else {
const err26 = {instancePath:instancePath+"/plugins/health_poll_interval",schemaPath:"#/properties/plugins/properties/health_poll_interval/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.health_poll_interval.type,parentSchema:schema11.properties.plugins.properties.health_poll_interval,data:data22};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(coerced16 !== undefined){
data22 = coerced16;
if(data20 !== undefined){
data20["health_poll_interval"] = coerced16;
}
}
}
let data23 = data20.health_failure_threshold;
if(!(((typeof data23 == "number") && (!(data23 % 1) && !isNaN(data23))) && (isFinite(data23)))){
let dataType17 = typeof data23;
let coerced17 = undefined;
if(!(coerced17 !== undefined)){
if(dataType17 === "boolean" || data23 === null
              || (dataType17 === "string" && data23 && data23 == +data23 && !(data23 % 1))){
coerced17 = +data23;
}
else {
const err27 = {instancePath:instancePath+"/plugins/health_failure_threshold",schemaPath:"#/properties/plugins/properties/health_failure_threshold/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.plugins.properties.health_failure_threshold.type,parentSchema:schema11.properties.plugins.properties.health_failure_threshold,data:data23};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(coerced17 !== undefined){
data23 = coerced17;
if(data20 !== undefined){
data20["health_failure_threshold"] = coerced17;
}
}
}
let data24 = data20.timeouts;
if(data24 && typeof data24 == "object" && !Array.isArray(data24)){
if(data24.init === undefined){
data24.init = "10s";
}
if(data24.schema === undefined){
data24.schema = "5s";
}
if(data24.validate === undefined){
data24.validate = "30s";
}
if(data24.deploy === undefined){
data24.deploy = "600s";
}
if(data24.teardown === undefined){
data24.teardown = "120s";
}
if(data24.access === undefined){
data24.access = "10s";
}
if(data24.describe === undefined){
data24.describe = "10s";
}
if(data24.health === undefined){
data24.health = "10s";
}
for(const key5 in data24){
if(!((((((((key5 === "init") || (key5 === "schema")) || (key5 === "validate")) || (key5 === "deploy")) || (key5 === "teardown")) || (key5 === "access")) || (key5 === "describe")) || (key5 === "health"))){
delete data24[key5];
}
}
let data25 = data24.init;
if(typeof data25 !== "string"){
let dataType18 = typeof data25;
let coerced18 = undefined;
if(!(coerced18 !== undefined)){
if(dataType18 == "number" || dataType18 == "boolean"){
coerced18 = "" + data25;
}
else if(data25 === null){
coerced18 = "";
}
else {
const err28 = {instancePath:instancePath+"/plugins/timeouts/init",schemaPath:"#/properties/plugins/properties/timeouts/properties/init/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.init.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.init,data:data25};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(coerced18 !== undefined){
data25 = coerced18;
if(data24 !== undefined){
data24["init"] = coerced18;
}
}
}
let data26 = data24.schema;
if(typeof data26 !== "string"){
let dataType19 = typeof data26;
let coerced19 = undefined;
if(!(coerced19 !== undefined)){
if(dataType19 == "number" || dataType19 == "boolean"){
coerced19 = "" + data26;
}
else if(data26 === null){
coerced19 = "";
}
else {
const err29 = {instancePath:instancePath+"/plugins/timeouts/schema",schemaPath:"#/properties/plugins/properties/timeouts/properties/schema/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.schema.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.schema,data:data26};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(coerced19 !== undefined){
data26 = coerced19;
if(data24 !== undefined){
data24["schema"] = coerced19;
}
}
}
let data27 = data24.validate;
if(typeof data27 !== "string"){
let dataType20 = typeof data27;
let coerced20 = undefined;
if(!(coerced20 !== undefined)){
if(dataType20 == "number" || dataType20 == "boolean"){
coerced20 = "" + data27;
}
else if(data27 === null){
coerced20 = "";
}
else {
const err30 = {instancePath:instancePath+"/plugins/timeouts/validate",schemaPath:"#/properties/plugins/properties/timeouts/properties/validate/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.validate.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.validate,data:data27};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(coerced20 !== undefined){
data27 = coerced20;
if(data24 !== undefined){
data24["validate"] = coerced20;
}
}
}
let data28 = data24.deploy;
if(typeof data28 !== "string"){
let dataType21 = typeof data28;
let coerced21 = undefined;
if(!(coerced21 !== undefined)){
if(dataType21 == "number" || dataType21 == "boolean"){
coerced21 = "" + data28;
}
else if(data28 === null){
coerced21 = "";
}
else {
const err31 = {instancePath:instancePath+"/plugins/timeouts/deploy",schemaPath:"#/properties/plugins/properties/timeouts/properties/deploy/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.deploy.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.deploy,data:data28};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(coerced21 !== undefined){
data28 = coerced21;
if(data24 !== undefined){
data24["deploy"] = coerced21;
}
}
}
let data29 = data24.teardown;
if(typeof data29 !== "string"){
let dataType22 = typeof data29;
let coerced22 = undefined;
if(!(coerced22 !== undefined)){
if(dataType22 == "number" || dataType22 == "boolean"){
coerced22 = "" + data29;
}
else if(data29 === null){
coerced22 = "";
}
else {
const err32 = {instancePath:instancePath+"/plugins/timeouts/teardown",schemaPath:"#/properties/plugins/properties/timeouts/properties/teardown/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.teardown.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.teardown,data:data29};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(coerced22 !== undefined){
data29 = coerced22;
if(data24 !== undefined){
data24["teardown"] = coerced22;
}
}
}
let data30 = data24.access;
if(typeof data30 !== "string"){
let dataType23 = typeof data30;
let coerced23 = undefined;
if(!(coerced23 !== undefined)){
if(dataType23 == "number" || dataType23 == "boolean"){
coerced23 = "" + data30;
}
else if(data30 === null){
coerced23 = "";
}
else {
const err33 = {instancePath:instancePath+"/plugins/timeouts/access",schemaPath:"#/properties/plugins/properties/timeouts/properties/access/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.access.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.access,data:data30};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(coerced23 !== undefined){
data30 = coerced23;
if(data24 !== undefined){
data24["access"] = coerced23;
}
}
}
let data31 = data24.describe;
if(typeof data31 !== "string"){
let dataType24 = typeof data31;
let coerced24 = undefined;
if(!(coerced24 !== undefined)){
if(dataType24 == "number" || dataType24 == "boolean"){
coerced24 = "" + data31;
}
else if(data31 === null){
coerced24 = "";
}
else {
const err34 = {instancePath:instancePath+"/plugins/timeouts/describe",schemaPath:"#/properties/plugins/properties/timeouts/properties/describe/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.describe.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.describe,data:data31};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(coerced24 !== undefined){
data31 = coerced24;
if(data24 !== undefined){
data24["describe"] = coerced24;
}
}
}
let data32 = data24.health;
if(typeof data32 !== "string"){
let dataType25 = typeof data32;
let coerced25 = undefined;
if(!(coerced25 !== undefined)){
if(dataType25 == "number" || dataType25 == "boolean"){
coerced25 = "" + data32;
}
else if(data32 === null){
coerced25 = "";
}
else {
const err35 = {instancePath:instancePath+"/plugins/timeouts/health",schemaPath:"#/properties/plugins/properties/timeouts/properties/health/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.timeouts.properties.health.type,parentSchema:schema11.properties.plugins.properties.timeouts.properties.health,data:data32};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(coerced25 !== undefined){
data32 = coerced25;
if(data24 !== undefined){
data24["health"] = coerced25;
}
}
}
}
else {
const err36 = {instancePath:instancePath+"/plugins/timeouts",schemaPath:"#/properties/plugins/properties/timeouts/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.plugins.properties.timeouts.type,parentSchema:schema11.properties.plugins.properties.timeouts,data:data24};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
let data33 = data20.disabled;
if(Array.isArray(data33)){
const len1 = data33.length;
for(let i1=0; i1<len1; i1++){
let data34 = data33[i1];
if(typeof data34 !== "string"){
let dataType26 = typeof data34;
let coerced26 = undefined;
if(!(coerced26 !== undefined)){
if(dataType26 == "number" || dataType26 == "boolean"){
coerced26 = "" + data34;
}
else if(data34 === null){
coerced26 = "";
}
else {
const err37 = {instancePath:instancePath+"/plugins/disabled/" + i1,schemaPath:"#/properties/plugins/properties/disabled/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.disabled.items.type,parentSchema:schema11.properties.plugins.properties.disabled.items,data:data34};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(coerced26 !== undefined){
data34 = coerced26;
if(data33 !== undefined){
data33[i1] = coerced26;
}
}
}
if(typeof data34 === "string"){
if(!pattern0.test(data34)){
const err38 = {instancePath:instancePath+"/plugins/disabled/" + i1,schemaPath:"#/properties/plugins/properties/disabled/items/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9-]{1,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9-]{1,63}$"+"\"",schema:"^[a-z][a-z0-9-]{1,63}$",parentSchema:schema11.properties.plugins.properties.disabled.items,data:data34};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
}
}
else {
const err39 = {instancePath:instancePath+"/plugins/disabled",schemaPath:"#/properties/plugins/properties/disabled/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.plugins.properties.disabled.type,parentSchema:schema11.properties.plugins.properties.disabled,data:data33};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
let data35 = data20.required;
if(Array.isArray(data35)){
const len2 = data35.length;
for(let i2=0; i2<len2; i2++){
let data36 = data35[i2];
if(typeof data36 !== "string"){
let dataType27 = typeof data36;
let coerced27 = undefined;
if(!(coerced27 !== undefined)){
if(dataType27 == "number" || dataType27 == "boolean"){
coerced27 = "" + data36;
}
else if(data36 === null){
coerced27 = "";
}
else {
const err40 = {instancePath:instancePath+"/plugins/required/" + i2,schemaPath:"#/properties/plugins/properties/required/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.required.items.type,parentSchema:schema11.properties.plugins.properties.required.items,data:data36};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(coerced27 !== undefined){
data36 = coerced27;
if(data35 !== undefined){
data35[i2] = coerced27;
}
}
}
if(typeof data36 === "string"){
if(!pattern0.test(data36)){
const err41 = {instancePath:instancePath+"/plugins/required/" + i2,schemaPath:"#/properties/plugins/properties/required/items/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9-]{1,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9-]{1,63}$"+"\"",schema:"^[a-z][a-z0-9-]{1,63}$",parentSchema:schema11.properties.plugins.properties.required.items,data:data36};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
}
else {
const err42 = {instancePath:instancePath+"/plugins/required",schemaPath:"#/properties/plugins/properties/required/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.plugins.properties.required.type,parentSchema:schema11.properties.plugins.properties.required,data:data35};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
let data37 = data20.config;
if(data37 && typeof data37 == "object" && !Array.isArray(data37)){
for(const key6 in data37){
const _errs84 = errors;
if(typeof key6 !== "string"){
let dataType28 = typeof key6;
let coerced28 = undefined;
if(!(coerced28 !== undefined)){
if(dataType28 == "number" || dataType28 == "boolean"){
coerced28 = "" + key6;
}
else if(key6 === null){
coerced28 = "";
}
else {
const err43 = {instancePath:instancePath+"/plugins/config",schemaPath:"#/properties/plugins/properties/config/propertyNames/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.config.propertyNames.type,parentSchema:schema11.properties.plugins.properties.config.propertyNames,data:key6,propertyName:key6};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(coerced28 !== undefined){
key6 = coerced28;
if(data37 !== undefined){
data37["config"] = coerced28;
}
}
}
if(typeof key6 === "string"){
if(!pattern0.test(key6)){
const err44 = {instancePath:instancePath+"/plugins/config",schemaPath:"#/properties/plugins/properties/config/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9-]{1,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9-]{1,63}$"+"\"",schema:"^[a-z][a-z0-9-]{1,63}$",parentSchema:schema11.properties.plugins.properties.config.propertyNames,data:key6,propertyName:key6};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
var valid13 = _errs84 === errors;
if(!valid13){
const err45 = {instancePath:instancePath+"/plugins/config",schemaPath:"#/properties/plugins/properties/config/propertyNames",keyword:"propertyNames",params:{propertyName: key6},message:"property name must be valid",schema:schema11.properties.plugins.properties.config.propertyNames,parentSchema:schema11.properties.plugins.properties.config,data:data37};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
for(const key7 in data37){
let data38 = data37[key7];
if(!(data38 && typeof data38 == "object" && !Array.isArray(data38))){
const err46 = {instancePath:instancePath+"/plugins/config/" + key7.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/plugins/properties/config/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.plugins.properties.config.additionalProperties.type,parentSchema:schema11.properties.plugins.properties.config.additionalProperties,data:data38};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
}
else {
const err47 = {instancePath:instancePath+"/plugins/config",schemaPath:"#/properties/plugins/properties/config/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.plugins.properties.config.type,parentSchema:schema11.properties.plugins.properties.config,data:data37};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
let data39 = data20.cache_dir;
if(typeof data39 !== "string"){
let dataType29 = typeof data39;
let coerced29 = undefined;
if(!(coerced29 !== undefined)){
if(dataType29 == "number" || dataType29 == "boolean"){
coerced29 = "" + data39;
}
else if(data39 === null){
coerced29 = "";
}
else {
const err48 = {instancePath:instancePath+"/plugins/cache_dir",schemaPath:"#/properties/plugins/properties/cache_dir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.cache_dir.type,parentSchema:schema11.properties.plugins.properties.cache_dir,data:data39};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(coerced29 !== undefined){
data39 = coerced29;
if(data20 !== undefined){
data20["cache_dir"] = coerced29;
}
}
}
if(typeof data39 === "string"){
if(func2(data39) < 1){
const err49 = {instancePath:instancePath+"/plugins/cache_dir",schemaPath:"#/properties/plugins/properties/cache_dir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.plugins.properties.cache_dir,data:data39};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
let data40 = data20.hook_timeout;
if(typeof data40 !== "string"){
let dataType30 = typeof data40;
let coerced30 = undefined;
if(!(coerced30 !== undefined)){
if(dataType30 == "number" || dataType30 == "boolean"){
coerced30 = "" + data40;
}
else if(data40 === null){
coerced30 = "";
}
else {
const err50 = {instancePath:instancePath+"/plugins/hook_timeout",schemaPath:"#/properties/plugins/properties/hook_timeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.hook_timeout.type,parentSchema:schema11.properties.plugins.properties.hook_timeout,data:data40};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(coerced30 !== undefined){
data40 = coerced30;
if(data20 !== undefined){
data20["hook_timeout"] = coerced30;
}
}
}
let data41 = data20.setup_timeout;
if(typeof data41 !== "string"){
let dataType31 = typeof data41;
let coerced31 = undefined;
if(!(coerced31 !== undefined)){
if(dataType31 == "number" || dataType31 == "boolean"){
coerced31 = "" + data41;
}
else if(data41 === null){
coerced31 = "";
}
else {
const err51 = {instancePath:instancePath+"/plugins/setup_timeout",schemaPath:"#/properties/plugins/properties/setup_timeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.plugins.properties.setup_timeout.type,parentSchema:schema11.properties.plugins.properties.setup_timeout,data:data41};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(coerced31 !== undefined){
data41 = coerced31;
if(data20 !== undefined){
data20["setup_timeout"] = coerced31;
}
}
}
}
else {
const err52 = {instancePath:instancePath+"/plugins",schemaPath:"#/properties/plugins/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.plugins.type,parentSchema:schema11.properties.plugins,data:data20};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
let data42 = data.capabilities;
if(data42 && typeof data42 == "object" && !Array.isArray(data42)){
if(data42.storage === undefined){
data42.storage = "storage-btrfs";
}
for(const key8 in data42){
const _errs97 = errors;
if(typeof key8 !== "string"){
let dataType32 = typeof key8;
let coerced32 = undefined;
if(!(coerced32 !== undefined)){
if(dataType32 == "number" || dataType32 == "boolean"){
coerced32 = "" + key8;
}
else if(key8 === null){
coerced32 = "";
}
else {
const err53 = {instancePath:instancePath+"/capabilities",schemaPath:"#/properties/capabilities/propertyNames/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.capabilities.propertyNames.type,parentSchema:schema11.properties.capabilities.propertyNames,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(coerced32 !== undefined){
key8 = coerced32;
if(data42 !== undefined){
data42["capabilities"] = coerced32;
}
}
}
if(typeof key8 === "string"){
if(!pattern3.test(key8)){
const err54 = {instancePath:instancePath+"/capabilities",schemaPath:"#/properties/capabilities/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-zA-Z0-9]{1,40}$"},message:"must match pattern \""+"^[a-z][a-zA-Z0-9]{1,40}$"+"\"",schema:"^[a-z][a-zA-Z0-9]{1,40}$",parentSchema:schema11.properties.capabilities.propertyNames,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
var valid15 = _errs97 === errors;
if(!valid15){
const err55 = {instancePath:instancePath+"/capabilities",schemaPath:"#/properties/capabilities/propertyNames",keyword:"propertyNames",params:{propertyName: key8},message:"property name must be valid",schema:schema11.properties.capabilities.propertyNames,parentSchema:schema11.properties.capabilities,data:data42};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
for(const key9 in data42){
if(!(key9 === "storage")){
let data43 = data42[key9];
if(typeof data43 !== "string"){
let dataType33 = typeof data43;
let coerced33 = undefined;
if(!(coerced33 !== undefined)){
if(dataType33 == "number" || dataType33 == "boolean"){
coerced33 = "" + data43;
}
else if(data43 === null){
coerced33 = "";
}
else {
const err56 = {instancePath:instancePath+"/capabilities/" + key9.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/capabilities/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.capabilities.additionalProperties.type,parentSchema:schema11.properties.capabilities.additionalProperties,data:data43};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(coerced33 !== undefined){
data43 = coerced33;
if(data42 !== undefined){
data42[key9] = coerced33;
}
}
}
if(typeof data43 === "string"){
if(!pattern0.test(data43)){
const err57 = {instancePath:instancePath+"/capabilities/" + key9.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/capabilities/additionalProperties/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9-]{1,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9-]{1,63}$"+"\"",schema:"^[a-z][a-z0-9-]{1,63}$",parentSchema:schema11.properties.capabilities.additionalProperties,data:data43};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
}
}
let data44 = data42.storage;
if(typeof data44 !== "string"){
let dataType34 = typeof data44;
let coerced34 = undefined;
if(!(coerced34 !== undefined)){
if(dataType34 == "number" || dataType34 == "boolean"){
coerced34 = "" + data44;
}
else if(data44 === null){
coerced34 = "";
}
else {
const err58 = {instancePath:instancePath+"/capabilities/storage",schemaPath:"#/properties/capabilities/properties/storage/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.capabilities.properties.storage.type,parentSchema:schema11.properties.capabilities.properties.storage,data:data44};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
if(coerced34 !== undefined){
data44 = coerced34;
if(data42 !== undefined){
data42["storage"] = coerced34;
}
}
}
if(typeof data44 === "string"){
if(!pattern0.test(data44)){
const err59 = {instancePath:instancePath+"/capabilities/storage",schemaPath:"#/properties/capabilities/properties/storage/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9-]{1,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9-]{1,63}$"+"\"",schema:"^[a-z][a-z0-9-]{1,63}$",parentSchema:schema11.properties.capabilities.properties.storage,data:data44};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
}
else {
const err60 = {instancePath:instancePath+"/capabilities",schemaPath:"#/properties/capabilities/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.capabilities.type,parentSchema:schema11.properties.capabilities,data:data42};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
let data45 = data.state_file;
if(typeof data45 !== "string"){
let dataType35 = typeof data45;
let coerced35 = undefined;
if(!(coerced35 !== undefined)){
if(dataType35 == "number" || dataType35 == "boolean"){
coerced35 = "" + data45;
}
else if(data45 === null){
coerced35 = "";
}
else {
const err61 = {instancePath:instancePath+"/state_file",schemaPath:"#/properties/state_file/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.state_file.type,parentSchema:schema11.properties.state_file,data:data45};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
if(coerced35 !== undefined){
data45 = coerced35;
if(data !== undefined){
data["state_file"] = coerced35;
}
}
}
if(typeof data45 === "string"){
if(func2(data45) < 1){
const err62 = {instancePath:instancePath+"/state_file",schemaPath:"#/properties/state_file/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.state_file,data:data45};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
let data46 = data.run_dir;
if(typeof data46 !== "string"){
let dataType36 = typeof data46;
let coerced36 = undefined;
if(!(coerced36 !== undefined)){
if(dataType36 == "number" || dataType36 == "boolean"){
coerced36 = "" + data46;
}
else if(data46 === null){
coerced36 = "";
}
else {
const err63 = {instancePath:instancePath+"/run_dir",schemaPath:"#/properties/run_dir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.run_dir.type,parentSchema:schema11.properties.run_dir,data:data46};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
}
if(coerced36 !== undefined){
data46 = coerced36;
if(data !== undefined){
data["run_dir"] = coerced36;
}
}
}
if(typeof data46 === "string"){
if(func2(data46) < 1){
const err64 = {instancePath:instancePath+"/run_dir",schemaPath:"#/properties/run_dir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.run_dir,data:data46};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
let data47 = data.data_dir;
if(typeof data47 !== "string"){
let dataType37 = typeof data47;
let coerced37 = undefined;
if(!(coerced37 !== undefined)){
if(dataType37 == "number" || dataType37 == "boolean"){
coerced37 = "" + data47;
}
else if(data47 === null){
coerced37 = "";
}
else {
const err65 = {instancePath:instancePath+"/data_dir",schemaPath:"#/properties/data_dir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.data_dir.type,parentSchema:schema11.properties.data_dir,data:data47};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
if(coerced37 !== undefined){
data47 = coerced37;
if(data !== undefined){
data["data_dir"] = coerced37;
}
}
}
if(typeof data47 === "string"){
if(func2(data47) < 1){
const err66 = {instancePath:instancePath+"/data_dir",schemaPath:"#/properties/data_dir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.data_dir,data:data47};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
let data48 = data.log_level;
if(typeof data48 !== "string"){
let dataType38 = typeof data48;
let coerced38 = undefined;
if(!(coerced38 !== undefined)){
if(dataType38 == "number" || dataType38 == "boolean"){
coerced38 = "" + data48;
}
else if(data48 === null){
coerced38 = "";
}
else {
const err67 = {instancePath:instancePath+"/log_level",schemaPath:"#/properties/log_level/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log_level.type,parentSchema:schema11.properties.log_level,data:data48};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
if(coerced38 !== undefined){
data48 = coerced38;
if(data !== undefined){
data["log_level"] = coerced38;
}
}
}
}
else {
const err68 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

