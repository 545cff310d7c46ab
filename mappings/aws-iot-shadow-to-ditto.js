// Incoming mapping (seed 001): AWS IoT device shadow updates, consumed by a Ditto MQTT connection
// subscribed to `$aws/things/+/shadow/update` (and `$aws/things/+/shadow/name/+/update` for named
// shadows), become Ditto merge commands on the thing's features.
//
// Input: the MQTT message; Ditto puts the topic it arrived on into the header `mqtt.topic`. Payload
//   {"timestamp": 1498451590923, "state": {"reported": {"resource1": 102, "resource2": 232}}}
//   (`timestamp`, epoch milliseconds, is optional; `state.desired` may accompany or replace `reported`).
//
// Output: one merge command
//   topic    <NAMESPACE>/<thing>/things/twin/commands/merge
//   headers  {"content-type": "application/merge-patch+json"}
//   path     /features
//   value    {"<feature>": {"properties": {...reported, "<TIMESTAMP_PROPERTY>": <timestamp>},
//                           "desiredProperties": {...desired}}}
// where <thing> is the thing name from the topic and <feature> is FEATURE_ID for the classic shadow
// and the shadow's name for a named shadow. Only the parts present in the update are in the value.
//
// Why a merge: a shadow update is itself a partial document. Merge-patch semantics match the
// shadow's: keys not mentioned stay, and a key reported as `null` is deleted in both. `"reported": null`
// (AWS: delete all reported state) becomes `"properties": null` (delete all properties).
// The timestamp is kept as a property next to the values it dates. When the update has none (AWS
// then uses its receive time), the property is set to null, i.e. removed, so the twin never shows
// the previous update's time next to new values; the Ditto event's own timestamp still dates it.
//
// Errors (thrown, so operators see them as mapping errors with the thing and topic):
// missing or foreign `mqtt.topic`, payload not JSON, no `state` object, `state` with neither
// `reported` nor `desired`, a non-numeric `timestamp`, a reported key equal to TIMESTAMP_PROPERTY.

// ---- options ---------------------------------------------------------------------------------
var NAMESPACE = 'com.example.aws';           // Ditto namespace of the twins (AWS thing names have none)
var FEATURE_ID = 'shadow';                   // feature that mirrors the classic (unnamed) shadow
var TIMESTAMP_PROPERTY = 'shadowTimestamp';  // property that keeps the update's `timestamp` (ms)
// ------------------------------------------------------------------------------------------------

var SHADOW_UPDATE_TOPIC = /^\$aws\/things\/([^\/]+)\/shadow\/(?:name\/([^\/]+)\/)?update$/;

// Decode UTF-8 from the Latin-1 string Ditto.arrayBufferToString returns (one char per byte):
// Ditto gives no UTF-8 decoder, and JSON.parse of the Latin-1 string would garble non-ASCII text.
function decodeUtf8(bytes) {
  var out = '';
  var i = 0;
  while (i < bytes.length) {
    var b = bytes.charCodeAt(i);
    if (b < 0x80) {
      out += bytes.charAt(i);
      i++;
      continue;
    }
    var need, cp, min;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1; cp = b & 0x1F; min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2; cp = b & 0x0F; min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3; cp = b & 0x07; min = 0x10000;
    } else {
      throw new Error('payload is not valid UTF-8 (byte ' + i + ')');
    }
    if (i + need >= bytes.length) {
      throw new Error('payload is not valid UTF-8 (truncated sequence at byte ' + i + ')');
    }
    for (var k = 1; k <= need; k++) {
      var cont = bytes.charCodeAt(i + k);
      if ((cont & 0xC0) !== 0x80) {
        throw new Error('payload is not valid UTF-8 (byte ' + (i + k) + ')');
      }
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      throw new Error('payload is not valid UTF-8 (byte ' + i + ')');
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mapToDittoProtocolMsg(headers, textPayload, bytePayload, contentType) {
  var topic = headers['mqtt.topic'];
  if (topic === undefined) {
    throw new Error('no mqtt.topic header: expected an MQTT message from $aws/things/<thing>/shadow/update');
  }
  var match = SHADOW_UPDATE_TOPIC.exec(topic);
  if (match === null) {
    throw new Error('mqtt.topic ' + JSON.stringify(topic)
        + ' is not a shadow update topic $aws/things/<thing>/shadow[/name/<shadow>]/update');
  }
  var thing = match[1];
  var featureId = match[2] === undefined ? FEATURE_ID : match[2];

  var text = textPayload;
  if (text === null || text === undefined) {
    text = bytePayload === null || bytePayload === undefined ? '' : decodeUtf8(Ditto.arrayBufferToString(bytePayload));
  }
  var update;
  try {
    update = JSON.parse(text);
  } catch (e) {
    throw new Error('shadow update for ' + thing + ' is not valid JSON: ' + e.message);
  }
  if (!isObject(update) || !isObject(update.state)) {
    throw new Error('shadow update for ' + thing + ' has no "state" object');
  }
  var state = update.state;
  if (!('reported' in state) && !('desired' in state)) {
    throw new Error('shadow update for ' + thing + ': "state" has neither "reported" nor "desired"');
  }
  if (update.timestamp !== undefined && typeof update.timestamp !== 'number') {
    throw new Error('shadow update for ' + thing + ': "timestamp" must be epoch milliseconds, got '
        + JSON.stringify(update.timestamp));
  }

  var feature = {};
  if ('reported' in state) {
    if (state.reported === null) {
      feature.properties = null;
    } else if (isObject(state.reported)) {
      if (TIMESTAMP_PROPERTY in state.reported) {
        throw new Error('shadow update for ' + thing + ': reported key "' + TIMESTAMP_PROPERTY
            + '" clashes with the timestamp property; change TIMESTAMP_PROPERTY');
      }
      feature.properties = Object.assign({}, state.reported);
      feature.properties[TIMESTAMP_PROPERTY] = update.timestamp === undefined ? null : update.timestamp;
    } else {
      throw new Error('shadow update for ' + thing + ': "state.reported" must be an object or null');
    }
  }
  if ('desired' in state) {
    if (state.desired !== null && !isObject(state.desired)) {
      throw new Error('shadow update for ' + thing + ': "state.desired" must be an object or null');
    }
    feature.desiredProperties = state.desired;
  }
  var value = {};
  value[featureId] = feature;

  return Ditto.buildDittoProtocolMsg(NAMESPACE, thing, 'things', 'twin', 'commands', 'merge', '/features',
      {'content-type': 'application/merge-patch+json'}, value);
}
