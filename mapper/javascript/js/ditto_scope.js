// The `Ditto` scope: exactly the helpers Eclipse Ditto gives mapping scripts
// (buildDittoProtocolMsg, buildExternalMsg, arrayBufferToString, stringToArrayBuffer, asByteBuffer).
// Written for mapper from Ditto's documented behaviour; see docs/javascript.md.
let Ditto = (function () {
  'use strict';

  function topicOf(namespace, name, group, channel, criterion, action) {
    // Ditto leaves the channel out of the topic for channel 'none' (policies, connections).
    const channelPart = channel === 'none' ? '' : '/' + channel;
    return namespace + '/' + name + '/' + group + channelPart + '/' + criterion + '/' + action;
  }

  function buildDittoProtocolMsg(namespace, name, group, channel, criterion, action, path,
                                 dittoHeaders, value, status, extra) {
    return {
      topic: topicOf(namespace, name, group, channel, criterion, action),
      path: path,
      headers: dittoHeaders,
      value: value,
      status: status,
      extra: extra,
    };
  }

  function buildExternalMsg(headers, textPayload, bytePayload, contentType) {
    return { headers: headers, textPayload: textPayload, bytePayload: bytePayload, contentType: contentType };
  }

  // One character per byte (Latin-1), not UTF-8 — as in Ditto.
  function arrayBufferToString(arrayBuffer) {
    const bytes = new Uint8Array(arrayBuffer);
    let text = '';
    // Chunked so that huge buffers do not exceed the argument-count limit of apply().
    for (let i = 0; i < bytes.length; i += 8192) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    }
    return text;
  }

  // One byte per UTF-16 code unit, truncated to its low 8 bits — as in Ditto.
  function stringToArrayBuffer(string) {
    const buffer = new ArrayBuffer(string.length);
    const view = new Uint8Array(buffer);
    for (let i = 0; i < string.length; i++) {
      view[i] = string.charCodeAt(i);
    }
    return buffer;
  }

  function asByteBuffer(arrayBuffer) {
    if (typeof dcodeIO === 'undefined' || !dcodeIO.ByteBuffer) {
      throw new ReferenceError('Ditto.asByteBuffer needs the mapping option loadBytebufferJS=true');
    }
    const copy = new ArrayBuffer(arrayBuffer.byteLength);
    new Uint8Array(copy).set(new Uint8Array(arrayBuffer));
    return dcodeIO.ByteBuffer.wrap(copy);
  }

  return {
    buildDittoProtocolMsg: buildDittoProtocolMsg,
    buildExternalMsg: buildExternalMsg,
    arrayBufferToString: arrayBufferToString,
    stringToArrayBuffer: stringToArrayBuffer,
    asByteBuffer: asByteBuffer,
  };
})();
