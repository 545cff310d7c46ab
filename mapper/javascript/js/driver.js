// mapper's batch driver: runs the mapping functions for a JSON array of messages in one call from
// Python and turns each result into JSON text, so that data crosses the Python/QuickJS boundary as
// one string each way (cheap, and exact for numbers beyond 32 bits).
//
// Output protocol (one string, lines separated by '\n'; JSON text never contains a raw newline):
//   for each input message, in order, either
//     "<n>"            followed by n lines, one JSON document per result, or
//     "!<json>"        one line describing why this message failed.
// If the call is aborted by something a script cannot catch (time limit, out of memory), Python
// calls aborted() to learn which message was running and to collect the finished ones.
//
// The functions are captured by Python before any user script runs, and they only use
// references captured here, so a script that redefines JSON or Array cannot change them.
(function () {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const toBase64 = btoa;
  const fromBase64 = atob;
  const fromCharCode = String.fromCharCode;
  const ErrorClass = Error;
  const ArrayBufferClass = ArrayBuffer;
  const Uint8ArrayClass = Uint8Array;
  const objectKeys = Object.keys;
  const StringFn = String;
  const global = globalThis;

  let running = 0;
  let finished = [];

  function describe(value) {
    if (value === null) return 'null';
    if (isArray(value)) return 'an array';
    return 'a ' + typeof value;
  }

  function failure(kind, message, extra) {
    const record = { kind: kind, message: message };
    if (extra) {
      record.name = extra.name;
      record.stack = extra.stack;
    }
    return '!' + stringify(record);
  }

  function scriptFailure(error) {
    if (error instanceof ErrorClass) {
      let stack = '';
      try { stack = StringFn(error.stack || ''); } catch (e) { stack = ''; }
      return failure('script', StringFn(error.message), { name: StringFn(error.name), stack: stack });
    }
    if (error === null) {
      // QuickJS throws null when it runs out of memory while building the error object; a
      // script's own `throw null` cannot be told apart and is reported the same way.
      return failure('script', 'null', { name: '', stack: '' });
    }
    let text;
    try { text = stringify(error); } catch (e) { text = undefined; }
    if (text === undefined) {
      try { text = StringFn(error); } catch (e) { text = '<unprintable value>'; }
    }
    return failure('script', 'the script threw ' + text + ' (not an Error, so without a location)',
      { name: 'Error', stack: '' });
  }

  function resultsOf(returned) {
    if (returned === null || returned === undefined) return [];
    return isArray(returned) ? returned : [returned];
  }

  function bytesToBase64(bytes) {
    let text = '';
    for (let i = 0; i < bytes.length; i += 8192) {
      text += fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    }
    return toBase64(text);
  }

  // ArrayBuffer, typed array / DataView, or an array of numbers (low 8 bits of each).
  function bytePayloadOf(value, where) {
    if (value === null || value === undefined) return null;
    if (value instanceof ArrayBufferClass) return bytesToBase64(new Uint8ArrayClass(value));
    if (isView(value)) {
      return bytesToBase64(new Uint8ArrayClass(value.buffer, value.byteOffset, value.byteLength));
    }
    if (isArray(value)) {
      const bytes = new Uint8ArrayClass(value.length);
      for (let i = 0; i < value.length; i++) {
        const n = value[i];
        if (typeof n !== 'number') {
          throw where + '.bytePayload[' + i + '] must be a number, got ' + describe(n);
        }
        bytes[i] = n;
      }
      return bytesToBase64(bytes);
    }
    throw where + '.bytePayload must be an ArrayBuffer, a typed array or an array of numbers, got ' +
      describe(value);
  }

  // Ditto's rule for outgoing header values: strings raw, everything else as JSON text.
  function headerText(value) {
    if (typeof value === 'string') return value;
    if (value === undefined) return 'null';
    const text = stringify(value);
    return text === undefined ? StringFn(value) : text;
  }

  function externalMessageLine(result, where) {
    if (result === null || typeof result !== 'object' || isArray(result)) {
      throw where + ' must be an external message object, got ' + describe(result);
    }
    const headers = {};
    const given = result.headers;
    if (given !== null && given !== undefined) {
      if (typeof given !== 'object' || isArray(given)) {
        throw where + '.headers must be an object, got ' + describe(given);
      }
      const names = objectKeys(given);
      for (let i = 0; i < names.length; i++) headers[names[i]] = headerText(given[names[i]]);
    }
    let contentType = result.contentType;
    if (contentType === undefined) contentType = null;
    if (contentType !== null) {
      if (typeof contentType !== 'string') {
        throw where + '.contentType must be a string, got ' + describe(contentType);
      }
      headers['content-type'] = contentType;
    }
    const bytePayload = bytePayloadOf(result.bytePayload, where);
    let textPayload = null;
    if (bytePayload === null) {
      textPayload = result.textPayload;
      if (textPayload === undefined || textPayload === null) {
        throw where + ': neither bytePayload nor textPayload is set';
      }
      if (typeof textPayload !== 'string') {
        throw where + '.textPayload must be a string, got ' + describe(textPayload);
      }
    }
    return stringify({ headers: headers, textPayload: textPayload, bytePayload: bytePayload,
      contentType: contentType });
  }

  function dittoProtocolLine(result, where) {
    if (result === null || typeof result !== 'object' || isArray(result)) {
      throw where + ' must be a Ditto Protocol message object, got ' + describe(result);
    }
    const text = stringify(result);
    if (text === undefined) throw where + ' cannot be converted to JSON';
    return text;
  }

  function run(messages, maxResults, call, toLine) {
    finished = [];
    for (let i = 0; i < messages.length; i++) {
      running = i;
      let results;
      try {
        results = resultsOf(call(messages[i]));
      } catch (error) {
        finished.push(scriptFailure(error));
        continue;
      }
      if (results.length > maxResults) {
        finished.push(failure('result', 'the script produced ' + results.length +
          ' messages, which exceeds the limit of ' + maxResults));
        continue;
      }
      const lines = [StringFn(results.length)];
      let problem = null;
      for (let r = 0; r < results.length && problem === null; r++) {
        const where = results.length === 1 ? 'the result' : 'result[' + r + ']';
        try {
          lines.push(toLine(results[r], where));
        } catch (error) {
          problem = typeof error === 'string' ? failure('result', error) : scriptFailure(error);
        }
      }
      if (problem !== null) {
        finished.push(problem);
      } else {
        for (let l = 0; l < lines.length; l++) finished.push(lines[l]);
      }
    }
    const out = finished.join('\n');
    finished = [];
    return out;
  }

  function callOutgoing(message) {
    if (message === null || typeof message !== 'object' || isArray(message) ||
        typeof message.topic !== 'string') {
      throw new TypeError('the message is not a Ditto Protocol envelope (no string topic)');
    }
    return global.mapFromDittoProtocolMsgWrapper(message);
  }

  function bytesFromBase64(text) {
    const binary = fromBase64(text);
    const buffer = new ArrayBufferClass(binary.length);
    const view = new Uint8ArrayClass(buffer);
    for (let i = 0; i < binary.length; i++) view[i] = binary.charCodeAt(i);
    return buffer;
  }

  // Input: [headers, textPayload, base64 bytePayload or null, contentType]
  function callIncoming(input) {
    const externalMsg = {
      headers: input[0],
      textPayload: input[1],
      bytePayload: input[2] === null ? null : bytesFromBase64(input[2]),
      contentType: input[3],
    };
    return global.mapToDittoProtocolMsgWrapper(externalMsg);
  }

  return {
    outgoing: function (batchJson, maxResults) {
      return run(parse(batchJson), maxResults, callOutgoing, externalMessageLine);
    },
    incoming: function (batchJson, maxResults) {
      return run(parse(batchJson), maxResults, callIncoming, dittoProtocolLine);
    },
    // After an uncatchable abort: the index of the message that was running, then the output
    // of the messages before it, in the protocol above.
    aborted: function () {
      // Built with join(): the binding cannot return QuickJS rope strings (from +) to Python.
      const out = [StringFn(running)].concat(finished).join('\n');
      finished = [];
      return out;
    },
  };
})()
