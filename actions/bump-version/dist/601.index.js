export const id=601;export const ids=[601];export const modules={260:(e,t,r)=>{r.d(t,{H:()=>L});var i=r(193),s=r(857),n=r(434),o=r(317),l=r(928),c=(r(613),r(896)),a=function(e,t,r,i){return new(r||(r=Promise))(function(s,n){function o(e){try{c(i.next(e))}catch(e){n(e)}}function l(e){try{c(i.throw(e))}catch(e){n(e)}}function c(e){var t;e.done?s(e.value):(t=e.value,t instanceof r?t:new r(function(e){e(t)})).then(o,l)}c((i=i.apply(e,t||[])).next())})};const{chmod:d,copyFile:h,lstat:u,mkdir:p,open:f,readdir:m,rename:g,rm:w,rmdir:C,stat:x,symlink:v,unlink:A}=c.promises,b="win32"===process.platform;c.constants.O_RDONLY;function y(e){if(!(e=function(e){if(e=e||"",b)return(e=e.replace(/\//g,"\\")).replace(/\\\\+/g,"\\");return e.replace(/\/\/+/g,"/")}(e)))throw new Error('isRooted() parameter "p" cannot be empty');return b?e.startsWith("\\")||/^[A-Z]:/i.test(e):e.startsWith("/")}function E(e,t){return a(this,void 0,void 0,function*(){let r;try{r=yield x(e)}catch(t){"ENOENT"!==t.code&&console.log(`Unexpected error attempting to determine if executable file exists '${e}': ${t}`)}if(r&&r.isFile())if(b){const r=l.extname(e).toUpperCase();if(t.some(e=>e.toUpperCase()===r))return e}else if(T(r))return e;const i=e;for(const s of t){e=i+s,r=void 0;try{r=yield x(e)}catch(t){"ENOENT"!==t.code&&console.log(`Unexpected error attempting to determine if executable file exists '${e}': ${t}`)}if(r&&r.isFile()){if(b){try{const t=l.dirname(e),r=l.basename(e).toUpperCase();for(const i of yield m(t))if(r===i.toUpperCase()){e=l.join(t,i);break}}catch(t){console.log(`Unexpected error attempting to determine the actual case of the file '${e}': ${t}`)}return e}if(T(r))return e}}return""})}function T(e){return(1&e.mode)>0||(8&e.mode)>0&&void 0!==process.getgid&&e.gid===process.getgid()||(64&e.mode)>0&&void 0!==process.getuid&&e.uid===process.getuid()}var _=function(e,t,r,i){return new(r||(r=Promise))(function(s,n){function o(e){try{c(i.next(e))}catch(e){n(e)}}function l(e){try{c(i.throw(e))}catch(e){n(e)}}function c(e){var t;e.done?s(e.value):(t=e.value,t instanceof r?t:new r(function(e){e(t)})).then(o,l)}c((i=i.apply(e,t||[])).next())})};function O(e,t){return _(this,void 0,void 0,function*(){if(!e)throw new Error("parameter 'tool' is required");if(t){const t=yield O(e,!1);if(!t)throw b?new Error(`Unable to locate executable file: ${e}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`):new Error(`Unable to locate executable file: ${e}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);return t}const r=yield function(e){return _(this,void 0,void 0,function*(){if(!e)throw new Error("parameter 'tool' is required");const t=[];if(b&&process.env.PATHEXT)for(const e of process.env.PATHEXT.split(l.delimiter))e&&t.push(e);if(y(e)){const r=yield E(e,t);return r?[r]:[]}if(e.includes(l.sep))return[];const r=[];if(process.env.PATH)for(const e of process.env.PATH.split(l.delimiter))e&&r.push(e);const i=[];for(const s of r){const r=yield E(l.join(s,e),t);r&&i.push(r)}return i})}(e);return r&&r.length>0?r[0]:""})}var S=r(557),P=function(e,t,r,i){return new(r||(r=Promise))(function(s,n){function o(e){try{c(i.next(e))}catch(e){n(e)}}function l(e){try{c(i.throw(e))}catch(e){n(e)}}function c(e){var t;e.done?s(e.value):(t=e.value,t instanceof r?t:new r(function(e){e(t)})).then(o,l)}c((i=i.apply(e,t||[])).next())})};const $="win32"===process.platform;class k extends n.EventEmitter{constructor(e,t,r){if(super(),!e)throw new Error("Parameter 'toolPath' cannot be null or empty.");this.toolPath=e,this.args=t||[],this.options=r||{}}_debug(e){this.options.listeners&&this.options.listeners.debug&&this.options.listeners.debug(e)}_getCommandString(e,t){const r=this._getSpawnFileName(),i=this._getSpawnArgs(e);let s=t?"":"[command]";if($)if(this._isCmdFile()){s+=r;for(const e of i)s+=` ${e}`}else if(e.windowsVerbatimArguments){s+=`"${r}"`;for(const e of i)s+=` ${e}`}else{s+=this._windowsQuoteCmdArg(r);for(const e of i)s+=` ${this._windowsQuoteCmdArg(e)}`}else{s+=r;for(const e of i)s+=` ${e}`}return s}_processLineBuffer(e,t,r){try{let i=t+e.toString(),n=i.indexOf(s.EOL);for(;n>-1;){r(i.substring(0,n)),i=i.substring(n+s.EOL.length),n=i.indexOf(s.EOL)}return i}catch(e){return this._debug(`error processing line. Failed with error ${e}`),""}}_getSpawnFileName(){return $&&this._isCmdFile()?process.env.COMSPEC||"cmd.exe":this.toolPath}_getSpawnArgs(e){if($&&this._isCmdFile()){let t=`/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;for(const r of this.args)t+=" ",t+=e.windowsVerbatimArguments?r:this._windowsQuoteCmdArg(r);return t+='"',[t]}return this.args}_endsWith(e,t){return e.endsWith(t)}_isCmdFile(){const e=this.toolPath.toUpperCase();return this._endsWith(e,".CMD")||this._endsWith(e,".BAT")}_windowsQuoteCmdArg(e){if(!this._isCmdFile())return this._uvQuoteCmdArg(e);if(!e)return'""';const t=[" ","\t","&","(",")","[","]","{","}","^","=",";","!","'","+",",","`","~","|","<",">",'"'];let r=!1;for(const i of e)if(t.some(e=>e===i)){r=!0;break}if(!r)return e;let i='"',s=!0;for(let t=e.length;t>0;t--)i+=e[t-1],s&&"\\"===e[t-1]?i+="\\":'"'===e[t-1]?(s=!0,i+='"'):s=!1;return i+='"',i.split("").reverse().join("")}_uvQuoteCmdArg(e){if(!e)return'""';if(!e.includes(" ")&&!e.includes("\t")&&!e.includes('"'))return e;if(!e.includes('"')&&!e.includes("\\"))return`"${e}"`;let t='"',r=!0;for(let i=e.length;i>0;i--)t+=e[i-1],r&&"\\"===e[i-1]?t+="\\":'"'===e[i-1]?(r=!0,t+="\\"):r=!1;return t+='"',t.split("").reverse().join("")}_cloneExecOptions(e){const t={cwd:(e=e||{}).cwd||process.cwd(),env:e.env||process.env,silent:e.silent||!1,windowsVerbatimArguments:e.windowsVerbatimArguments||!1,failOnStdErr:e.failOnStdErr||!1,ignoreReturnCode:e.ignoreReturnCode||!1,delay:e.delay||1e4};return t.outStream=e.outStream||process.stdout,t.errStream=e.errStream||process.stderr,t}_getSpawnOptions(e,t){e=e||{};const r={};return r.cwd=e.cwd,r.env=e.env,r.windowsVerbatimArguments=e.windowsVerbatimArguments||this._isCmdFile(),e.windowsVerbatimArguments&&(r.argv0=`"${t}"`),r}exec(){return P(this,void 0,void 0,function*(){return!y(this.toolPath)&&(this.toolPath.includes("/")||$&&this.toolPath.includes("\\"))&&(this.toolPath=l.resolve(process.cwd(),this.options.cwd||process.cwd(),this.toolPath)),this.toolPath=yield O(this.toolPath,!0),new Promise((e,t)=>P(this,void 0,void 0,function*(){this._debug(`exec tool: ${this.toolPath}`),this._debug("arguments:");for(const e of this.args)this._debug(`   ${e}`);const r=this._cloneExecOptions(this.options);!r.silent&&r.outStream&&r.outStream.write(this._getCommandString(r)+s.EOL);const i=new D(r,this.toolPath);if(i.on("debug",e=>{this._debug(e)}),this.options.cwd&&!(yield function(e){return a(this,void 0,void 0,function*(){try{yield x(e)}catch(e){if("ENOENT"===e.code)return!1;throw e}return!0})}(this.options.cwd)))return t(new Error(`The cwd: ${this.options.cwd} does not exist!`));const n=this._getSpawnFileName(),l=o.spawn(n,this._getSpawnArgs(r),this._getSpawnOptions(this.options,n));let c="";l.stdout&&l.stdout.on("data",e=>{this.options.listeners&&this.options.listeners.stdout&&this.options.listeners.stdout(e),!r.silent&&r.outStream&&r.outStream.write(e),c=this._processLineBuffer(e,c,e=>{this.options.listeners&&this.options.listeners.stdline&&this.options.listeners.stdline(e)})});let d="";if(l.stderr&&l.stderr.on("data",e=>{if(i.processStderr=!0,this.options.listeners&&this.options.listeners.stderr&&this.options.listeners.stderr(e),!r.silent&&r.errStream&&r.outStream){(r.failOnStdErr?r.errStream:r.outStream).write(e)}d=this._processLineBuffer(e,d,e=>{this.options.listeners&&this.options.listeners.errline&&this.options.listeners.errline(e)})}),l.on("error",e=>{i.processError=e.message,i.processExited=!0,i.processClosed=!0,i.CheckComplete()}),l.on("exit",e=>{i.processExitCode=e,i.processExited=!0,this._debug(`Exit code ${e} received from tool '${this.toolPath}'`),i.CheckComplete()}),l.on("close",e=>{i.processExitCode=e,i.processExited=!0,i.processClosed=!0,this._debug(`STDIO streams have closed for tool '${this.toolPath}'`),i.CheckComplete()}),i.on("done",(r,i)=>{c.length>0&&this.emit("stdline",c),d.length>0&&this.emit("errline",d),l.removeAllListeners(),r?t(r):e(i)}),this.options.input){if(!l.stdin)throw new Error("child process missing stdin");l.stdin.end(this.options.input)}}))})}}class D extends n.EventEmitter{constructor(e,t){if(super(),this.processClosed=!1,this.processError="",this.processExitCode=0,this.processExited=!1,this.processStderr=!1,this.delay=1e4,this.done=!1,this.timeout=null,!t)throw new Error("toolPath must not be empty");this.options=e,this.toolPath=t,e.delay&&(this.delay=e.delay)}CheckComplete(){this.done||(this.processClosed?this._setResult():this.processExited&&(this.timeout=(0,S.setTimeout)(D.HandleTimeout,this.delay,this)))}_debug(e){this.emit("debug",e)}_setResult(){let e;this.processExited&&(this.processError?e=new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`):0===this.processExitCode||this.options.ignoreReturnCode?this.processStderr&&this.options.failOnStdErr&&(e=new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`)):e=new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`)),this.timeout&&(clearTimeout(this.timeout),this.timeout=null),this.done=!0,this.emit("done",e,this.processExitCode)}static HandleTimeout(e){if(!e.done){if(!e.processClosed&&e.processExited){const t=`The STDIO streams did not close within ${e.delay/1e3} seconds of the exit event from process '${e.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;e._debug(t)}e._setResult()}}}var j=function(e,t,r,i){return new(r||(r=Promise))(function(s,n){function o(e){try{c(i.next(e))}catch(e){n(e)}}function l(e){try{c(i.throw(e))}catch(e){n(e)}}function c(e){var t;e.done?s(e.value):(t=e.value,t instanceof r?t:new r(function(e){e(t)})).then(o,l)}c((i=i.apply(e,t||[])).next())})};function L(e,t,r){return j(this,void 0,void 0,function*(){var s,n;let o="",l="";const c=new i.StringDecoder("utf8"),a=new i.StringDecoder("utf8"),d=null===(s=null==r?void 0:r.listeners)||void 0===s?void 0:s.stdout,h=null===(n=null==r?void 0:r.listeners)||void 0===n?void 0:n.stderr,u=Object.assign(Object.assign({},null==r?void 0:r.listeners),{stdout:e=>{o+=c.write(e),d&&d(e)},stderr:e=>{l+=a.write(e),h&&h(e)}}),p=yield function(e,t,r){return j(this,void 0,void 0,function*(){const i=function(e){const t=[];let r=!1,i=!1,s="";function n(e){i&&'"'!==e&&(s+="\\"),s+=e,i=!1}for(let o=0;o<e.length;o++){const l=e.charAt(o);'"'!==l?"\\"===l&&i?n(l):"\\"===l&&r?i=!0:" "!==l||r?n(l):s.length>0&&(t.push(s),s=""):i?n(l):r=!r}return s.length>0&&t.push(s.trim()),t}(e);if(0===i.length)throw new Error("Parameter 'commandLine' cannot be null or empty.");const s=i[0];return t=i.slice(1).concat(t||[]),new k(s,t,r).exec()})}(e,t,Object.assign(Object.assign({},r),{listeners:u}));return o+=c.end(),l+=a.end(),{exitCode:p,stdout:o,stderr:l}})}},292:(e,t,r)=>{r.d(t,{qg:()=>x});class i extends Error{line;column;codeblock;constructor(e,t){const[r,i]=
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function(e,t){let r=e.slice(0,t).split(/\r?\n/);return[r.length,r.pop().length+1]}(t.toml,t.ptr),s=function(e,t,r){let i=e.split(/\r?\n/),s="",n=1+(0|Math.log10(t+1));for(let e=t-1;e<=t+1;e++){let o=i[e-1];o&&(s+=e.toString().padEnd(n," "),s+=":  ",s+=o,s+="\n",e===t&&(s+=" ".repeat(n+r+2),s+="^\n"))}return s}(t.toml,r,i);super(`Invalid TOML document: ${e}\n\n${s}`,t),this.line=r,this.column=i,this.codeblock=s}static x(e,t,r){throw new i(e,{toml:t.s,ptr:r??t.p})}}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function s(e){let t=e.p,r=e.s.charCodeAt(e.p++),s=r,n=39===r,o=r===e.s.charCodeAt(e.p)&&r===e.s.charCodeAt(e.p+1);o&&(10===(r=e.s.charCodeAt(e.p+=2))?e.p++:13===r&&10===e.s.charCodeAt(e.p+1)&&(e.p+=2));let l="",c=e.p,a=0;for(;e.p<e.s.length;e.p++)if(r=e.s.charCodeAt(e.p),o&&(10===r||13===r&&10===e.s.charCodeAt(e.p+1)))a=a&&3;else if(r<32&&9!==r||127===r)i.x("control characters are not allowed in strings",e);else{if(!(a&&3!==a||r!==s||o&&(e.s.charCodeAt(e.p+1)!==s||e.s.charCodeAt(e.p+2)!==s))){if(o&&(e.s.charCodeAt(e.p+3)===s&&e.p++,e.s.charCodeAt(e.p+3)===s&&e.p++),!a){let t=e.s.slice(c,e.p);l=l?l+t:t}return e.p+=o?3:1,l}if(a)if(1===a)if(120===r||117===r||85===r){let t=e.p++-1,s=0,n=120===r?2:117===r?4:8;for(let t=0;t<n;t++,e.p++){let t=e.s.charCodeAt(e.p),r=t>=48&&t<=57?t-48:t>=65&&t<=70?t-65+10:t>=97&&t<=102?t-97+10:-1;r<0&&i.x("invalid non-hex character in unicode escape",e),s=s<<4|r}(s<0||s>1114111||s>=55296&&s<=57343)&&i.x("invalid unicode escape",e,t),l+=String.fromCodePoint(s),c=e.p--,a=0}else!o||32!==r&&9!==r?(98===r?l+="\b":116===r?l+="\t":110===r?l+="\n":102===r?l+="\f":114===r?l+="\r":101===r?l+="":34===r?l+='"':92===r?l+="\\":i.x("unrecognised escape sequence",e),c=e.p+1,a=0):a=2;else 32!==r&&9!==r&&(2===a&&i.x("invalid escape: only line-ending whitespace may be escaped",e,c),a=n||92!==r?0:1,c=e.p);else n||92!==r||(l+=e.s.slice(c,c=e.p),a=1)}i.x("unfinished string",e,t)}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
let n=/^(\d{4}-\d{2}-\d{2})?[Tt ]?(?:(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|z|[-+]\d{2}:\d{2})?$/i;class o extends Date{#e=!1;#t=!1;#r=null;constructor(e,t,r){let i,s=!0,o=!0,l="Z";if("string"==typeof e)if(t)e:{if(t<3){if(+e.slice(11,13)>23){e="";break e}2===t?(l=null,e+="Z"):90!==(i=e.charCodeAt(e.length-1))&&122!==i&&(l=e.slice(e.length-6)),r&&(e=e.slice(0,10)+"T"+e.slice(11))}else 4===t&&(e=+e.slice(0,2)>23?"":`0000-01-01T${e}Z`);s=4!==t,o=3!==t}else{let t=e.match(n);t?(t[1]||(s=!1,e=`0000-01-01T${e}`),o=!!t[2],o&&" "===e[10]&&(e=e.replace(" ","T")),t[2]&&+t[2]>23?e="":(l=t[3]||null,!l&&o&&(e+="Z"))):e=""}super(e),isNaN(this.getTime())||(this.#e=s,this.#t=o,this.#r=l)}isDateTime(){return this.#e&&this.#t}isLocal(){return!this.#e||!this.#t||!this.#r}isDate(){return this.#e&&!this.#t}isTime(){return this.#t&&!this.#e}isValid(){return this.#e||this.#t}toISOString(){let e=super.toISOString();if(this.isDate())return e.slice(0,10);if(this.isTime())return e.slice(11,23);if(null===this.#r)return e.slice(0,-1);if("Z"===this.#r||"z"===this.#r)return e;let t=60*+this.#r.slice(1,3)+ +this.#r.slice(4,6);return t="-"===this.#r[0]?t:-t,new Date(this.getTime()-6e4*t).toISOString().slice(0,-1)+this.#r}static wrapAsOffsetDateTime(e,t="Z"){let r=new o(e);return r.#r=t,r}static wrapAsLocalDateTime(e){let t=new o(e);return t.#r=null,t}static wrapAsLocalDate(e){let t=new o(e);return t.#t=!1,t.#r=null,t}static wrapAsLocalTime(e){let t=new o(e);return t.#e=!1,t.#r=null,t}}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function l(e,t=10){return 16===t?e>47&&e<58||e>64&&e<71||e>96&&e<103:e>47&&e<48+t}function c(e,t){return 32===e||9===e||10===e||13===e||t&&(e===t||44===e)||35===e}function a(e,t){let r=e.p,n=e.s.charCodeAt(e.p);if(91===n||123===n){e.d--||i.x("document contains excessively nested structures. aborting.",e);let t=91===n?function(e){let t,r=e.p++,s=[];for(;e.p<e.s.length;){if(m(e),93===(t=e.s.charCodeAt(e.p)))return e.p++,s;if(s.push(a(e,93)),m(e),93===(t=e.s.charCodeAt(e.p++)))return s;44!==t&&i.x("expected comma or end of structure",e,e.p-1)}i.x("unfinished array",e,r)}(e):function(e){let t,r=e.p++,s=Object.create(null),n=new Set;for(;e.p<e.s.length;){if(m(e),125===(t=e.s.charCodeAt(e.p)))return e.p++,s;let r,o=s,l=!1,c=e.p,d=g(e);for(let t=0;t<d.length;t++){t&&(o=l?o[r]:o[r]=Object.create(null)),r=d[t],(l=Object.hasOwn(o,r))&&("object"!=typeof o[r]||n.has(o[r]))&&i.x("trying to redefine an already defined value",e,c);let s="__proto__"===r;if(e.uk&&(s||"constructor"===r)){o=1!==e.uk&&i.x("document contains an unsafe property",e,c);break}!l&&s&&Object.defineProperty(o,r,{enumerable:!0,configurable:!0,writable:!0})}l&&i.x("trying to redefine an already defined value",e,c),m(e,!0,!0);let h=a(e,125);if(o&&"object"==typeof(o[r]=h)&&n.add(h),m(e),125===(t=e.s.charCodeAt(e.p++)))return s;44!==t&&i.x("expected comma or end of structure",e,e.p-1)}i.x("unfinished table",e,r)}(e);return e.d++,t}return 34===n||39===n?s(e):116===n?(114===e.s.charCodeAt(++e.p)&&117===e.s.charCodeAt(++e.p)&&101===e.s.charCodeAt(++e.p)||i.x("invalid value",e,r),e.p++,!0):102===n?(97===e.s.charCodeAt(++e.p)&&108===e.s.charCodeAt(++e.p)&&115===e.s.charCodeAt(++e.p)&&101===e.s.charCodeAt(++e.p)||i.x("invalid value",e,r),e.p++,!1):43===n||45===n?d(e,e.p,e.s.charCodeAt(++e.p),44-n,t):45===e.s.charCodeAt(e.p+4)&&45===e.s.charCodeAt(e.p+7)?function(e,t,r){let s,n=e.p++;if(!(l(t)&&l(e.s.charCodeAt(e.p++))&&l(e.s.charCodeAt(e.p++))&&l(e.s.charCodeAt(e.p++))))return d(e,e.p=n,t,0,r);e.p+=5,l(e.s.charCodeAt(e.p++))||i.x("invalid date-time: date part is malformed",e,n);if(e.p>=e.s.length||(32!==(t=e.s.charCodeAt(e.p))||(s=!0,!l(e.s.charCodeAt(e.p+1))))&&84!==t&&116!==t){let t=e.s.slice(n,e.p);return p(e,t,3,!1,n)}58!==e.s.charCodeAt(e.p+=3)&&i.x("invalid date-time: time part is malformed",e,n);58===e.s.charCodeAt(e.p+=3)&&(e.p+=3);if(46===e.s.charCodeAt(e.p))for(;l(e.s.charCodeAt(++e.p)););if(t=e.s.charCodeAt(e.p)){if(90===t||122===t){let t=e.s.slice(n,++e.p);return p(e,t,1,s,n,"[+00:00]")}if(43===t||45===t){let t=e.s.slice(n,e.p+=6);return p(e,t,1,s,n,!e.ld&&"["+e.s.slice(e.p-6,e.p)+"]")}}let o=e.s.slice(n,e.p);return p(e,o,2,s,n)}(e,n,t):58===e.s.charCodeAt(e.p+2)?function(e,t,r){let i=e.p;if(!l(t)||!l(e.s.charCodeAt(++e.p)))return d(e,--e.p,t,0,r);58===e.s.charCodeAt(e.p+=4)&&(e.p+=3);if(46===e.s.charCodeAt(e.p))for(;l(e.s.charCodeAt(++e.p)););let s=e.s.slice(i,e.p);return p(e,s,4,!1,i)}(e,n,t):d(e,e.p,n,0,t)}function d(e,t,r,s,n){let o=r,a=0,d=!1;if(105===o)return 110===e.s.charCodeAt(++e.p)&&102===e.s.charCodeAt(++e.p)||i.x("invalid value",e,t),e.p++,(s||1)/0;if(110===o)return 97===e.s.charCodeAt(++e.p)&&110===e.s.charCodeAt(++e.p)||i.x("invalid value",e,t),e.p++,NaN;if(48===o){if(++e.p>=e.s.length||c(o=e.s.charCodeAt(e.p),n))return!0===e.bi?0n:0;if(!s){if(120===o)return h(e,t,16,n);if(98===o)return h(e,t,2,n);if(111===o)return h(e,t,8,n)}46===o?a=2:101===o||69===o?a=4:i.x("illegal leading zero",e,t)}else l(o)||i.x("invalid value",e,t);for(;++e.p<e.s.length&&(o=e.s.charCodeAt(e.p),!c(o,n));)a||(a=1),95===o?(1&a||i.x("illegal underscore",e),a+=11,d=!0):1===a&&46===o?a=2:1!==a&&3!==a||101!==o&&69!==o?4!==a||43!==o&&45!==o?l(o)?a>9?a-=11:1&a||a++:i.x("illegal character in numeric literal",e):a=6:a=4;if(!a){let t=(r-48)*(s||1);return!0===e.bi?BigInt(t):t}1&a||i.x("unfinished numeric value",e,t);let p=e.s.slice(t,e.p);return d&&(p=p.replaceAll("_","")),a>1?parseFloat(p):u(e,p,10,t)}function h(e,t,r,s){let n,o=1;for(;++e.p<e.s.length&&(n=e.s.charCodeAt(e.p),!c(n,s));)95===n?(1&o&&i.x("illegal underscore",e),o=3):l(n,r)?1&o&&o--:i.x("illegal character in numeric literal",e);1&o&&i.x("unfinished numeric value",e);let a=e.s.slice(t+2,e.p);return o&&(a=a.replaceAll("_","")),u(e,a,r,t)}function u(e,t,r,s){if(!0!==e.bi)e:{let n=parseInt(t,r);if(!Number.isSafeInteger(n)){if(e.bi)break e;i.x("integer value cannot be represented losslessly",e,s)}return n}return 10===r?BigInt(t):BigInt((2===r?"0b":8===r?"0o":"0x")+t)}function p(e,t,r,s,n,l){if(e.ld){let l=new o(t,r,s);return l.isValid()||i.x("invalid date",e,n),l}try{switch(l&&(t+=l),r){case 1:return Temporal.ZonedDateTime.from(t);case 2:return Temporal.PlainDateTime.from(t);case 3:return Temporal.PlainDate.from(t);case 4:return Temporal.PlainTime.from(t)}}catch(t){i.x(t instanceof Error?t.message:""+t,e,n)}}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function f(e){for(;e.p<e.s.length;e.p++){let t=e.s.charCodeAt(e.p);if(10===t)break;if(13===t&&10===e.s.charCodeAt(e.p+1)){e.p++;break}(t<32&&9!==t||127===t)&&i.x("control characters are not allowed in comments",e)}}function m(e,t,r){let i;for(;e.p<e.s.length;){for(;e.p<e.s.length&&(32===(i=e.s.charCodeAt(e.p))||9===i||!t&&(10===i||13===i&&10===e.s.charCodeAt(e.p+1)));)e.p++;if(r||35!==i)break;f(e)}}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function g(e,t=61){let r,n,o=0,l=[],c=e.s.charCodeAt(r=e.p);do{if(c===t)return o||i.x("unexpected end of key",e),1===o&&l.push(e.s.slice(n,e.p)),e.p++,l;46===c?(o||i.x("illegal empty bare key",e),1===o&&l.push(e.s.slice(n,e.p)),o=0):o||34!==c&&39!==c?32===c||9===c?1===o&&(l.push(e.s.slice(n,e.p)),o=2):2===o||c<48&&45!==c||c>57&&c<65||c>90&&c<97&&95!==c||c>122?i.x("illegal character in key",e):o||(o=1,n=e.p):(c===e.s.charCodeAt(e.p+1)&&c===e.s.charCodeAt(e.p+2)&&i.x("illegal quoted key: multiline strings are not allowed",e),l.push(s(e)),o=2,e.p--)}while(c=e.s.charCodeAt(++e.p));i.x("incomplete key-value: cannot find end of key",e,r)}
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function w(e,t,r,i,s){let n,o,l=r,c=i,a=!1;for(let r=0;r<t.length;r++){if(r){if(l=a?l[n]:l[n]=Object.create(null),c=(o=c[n]).c,0===s&&(1===o.t||2===o.t))return null;if(2===o.t){let e=l.length-1;l=l[e],c=c[e].c}}if(n=t[r],(a=Object.hasOwn(l,n))&&0===c[n]?.t&&c[n]?.d)return null;if(!a){let i="__proto__"===n;if(e.uk&&(i||"constructor"===n))return!1;i&&(Object.defineProperty(l,n,{enumerable:!0,configurable:!0,writable:!0}),Object.defineProperty(c,n,{enumerable:!0,configurable:!0,writable:!0})),c[n]={t:r<t.length-1&&2===s?3:s,d:!1,i:0,c:Object.create(null)}}}if(o=c[n],o.t!==s&&(1!==s||3!==o.t))return null;if(2===s&&(o.d||(o.d=!0,l[n]=[]),l[n].push(l=Object.create(null)),o.c[o.i++]=o={t:1,d:!1,i:0,c:Object.create(null)}),o.d)return null;if(o.d=!0,1===s)l=a?l[n]:l[n]=Object.create(null);else if(0===s&&a)return null;return[n,l,o.c]}function C(e,t,r){null!==t&&2!==e.uk||i.x(null===t?"trying to redefine an already defined table or value":"document contains an unsafe property",e,r)}function x(e,t={}){let r,s={s:e,p:0,d:t.maxDepth??1e3,bi:t.integersAsBigInt??!1,ld:t.useLegacyDate??!0,uk:"throw"===t.unsafeKeyBehaviour?2:"drop"===t.unsafeKeyBehaviour?1:0},n=Object.create(null),o=Object.create(null),l=!1,c=n,d=o;for(65279===e.charCodeAt(0)&&s.p++,m(s);s.p<e.length;){if(91===e.charCodeAt(s.p)){let t=91===e.charCodeAt(++s.p);r=s.p+=+t,l=!1;let a=g(s,93);t&&(93!==e.charCodeAt(s.p)&&i.x("expected end of table array declaration",s),s.p++);let h=w(s,a,n,o,t?2:1);h?(d=h[2],c=h[1]):(C(s,h,r),l=!0)}else{r=s.p;let e=w(s,g(s),c,d,0);e||l||C(s,e,r),m(s,!0,!0);let t=a(s,void 0);e&&!l&&(e[1][e[0]]=t)}m(s,!0),s.p<e.length&&10!==(r=e.charCodeAt(s.p))&&(13!==r||10!==e.charCodeAt(s.p+1))&&i.x("each key-value declaration must be followed by an end-of-line",s),m(s)}return n}}};