// Outgoing mapping: the seed's per-revision S3 key behind a short hash prefix, so that a fleet's
// events spread over up to 65,536 S3 prefixes (S3 sustains about 3,500 PUT/s per prefix; past that
// it answers 503 SlowDown).
//
//   key   <hash>/<namespace>:<name>:things:twin:events:<action>:<revision>
//         e.g. db2d/com.acme:coffee-brewer:things:twin:events:modified:42
//   body  the whole Ditto Protocol event as JSON (like the seed script), content-type application/json
//
// <hash> is the first 4 hex digits (the top 16 bits) of the 32-bit FNV-1a hash of the UTF-8 bytes
// of the thing id `<namespace>:<name>`. Hashing the thing id, not the whole key, keeps all events
// of one thing under one prefix: a thing's history is one listing of `<hash>/<namespace>:<name>:`,
// and the prefix of a thing can be computed offline with the same function.
// Thing names keep their characters in the key (spaces, `$ + = @ ~`, non-Latin letters); the
// publisher percent-encodes them. Names cannot contain `/`.
//
// Events without a numeric `revision` throw (the key would collide); so does anything that is not a
// twin event topic `<ns>/<name>/things/twin/events/<action>`.

var HASH_PREFIX_HEX_DIGITS = 4;

// The UTF-8 bytes of a string; a lone surrogate becomes U+FFFD like in TextEncoder.
function utf8Bytes(text) {
  var bytes = [];
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) {
      var low = text.charCodeAt(i + 1);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        i++;
      }
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      bytes.push(c);
    } else if (c < 0x800) {
      bytes.push(0xC0 | (c >> 6), 0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      bytes.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
    } else {
      bytes.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
    }
  }
  return bytes;
}

// 32-bit FNV-1a as 8 lowercase hex digits.
function fnv1a32Hex(text) {
  var hash = 0x811C9DC5;
  var bytes = utf8Bytes(text);
  for (var i = 0; i < bytes.length; i++) {
    hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
  }
  return ('0000000' + hash.toString(16)).slice(-8);
}

function mapFromDittoProtocolMsgWrapper(msg) {
  var parts = msg.topic.split('/');
  if (parts.length !== 6 || parts[2] !== 'things' || parts[3] !== 'twin' || parts[4] !== 'events') {
    throw new Error('expected a twin event topic <namespace>/<name>/things/twin/events/<action>, got '
        + JSON.stringify(msg.topic));
  }
  if (typeof msg.revision !== 'number') {
    throw new Error('twin event ' + msg.topic + ' has no numeric revision; the S3 key needs one');
  }
  var thingId = parts[0] + ':' + parts[1];
  var prefix = fnv1a32Hex(thingId).slice(0, HASH_PREFIX_HEX_DIGITS);
  var key = prefix + '/' + parts.join(':') + ':' + msg.revision;

  return Ditto.buildExternalMsg({'http.path': key}, JSON.stringify(msg), null, 'application/json');
}
