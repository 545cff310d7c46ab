// Incoming mapping (seed 003): telemetry and events that devices send to the Eclipse Hono / Bosch IoT
// Hub HTTP adapter (POST /telemetry, /event, gateway forms /telemetry/<tenant>/<device>), consumed by
// a Ditto Hono (or AMQP/Kafka) connection, become Ditto modify commands on the device's twin.
//
// Input headers (as Hono's northbound API delivers them): `device_id` (required), `content-type`,
// optionally `tenant_id` (not a Hono header; add it with the source's headerMapping if you want the
// namespace fallback below). Body: a JSON object of the device's current values, e.g.
//   {"temp": 21.5, "hum": 40}
//
// Output: one modify command
//   topic    <namespace>/<name>/things/twin/commands/modify
//   headers  {}
//   path     /features/<FEATURE_ID>/properties
//   value    the JSON body (replaces that feature's properties; other features are untouched)
//
// Device id -> thing id: a `device_id` of the form `<namespace>:<name>` (Ditto's and Hono's usual
// convention, e.g. org.eclipse.ditto:demo-device) is split at the first `:`. A device id without `:`
// takes the `tenant_id` header as namespace; without that header it is an error.
//
// Dropped (no command): Hono's empty notifications, content-type
// application/vnd.eclipse-hono-empty-notification ("device ready for commands", empty body).
// Errors (thrown): no device_id, a device id without namespace and no tenant_id, a content type that
// is not JSON (application/json or */*+json; a missing content-type is read as JSON), a body that is
// not valid JSON / not a JSON object, a byte payload that is not valid UTF-8.
//
// Byte payloads: when the connection delivers bytes (no text), Ditto hands the script an ArrayBuffer;
// Ditto.arrayBufferToString turns it into one character per byte (Latin-1), so the bytes are decoded
// as UTF-8 here before JSON.parse - otherwise "°C" would arrive as "Â°C".

// ---- options ---------------------------------------------------------------------------------
var FEATURE_ID = 'telemetry';   // feature whose properties mirror the device's last message
// ------------------------------------------------------------------------------------------------

// Hono's content type for empty notifications (EventConstants.CONTENT_TYPE_EMPTY_NOTIFICATION).
var EMPTY_NOTIFICATION_CONTENT_TYPE = 'application/vnd.eclipse-hono-empty-notification';

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

function mediaType(contentType) {
  return contentType === null || contentType === undefined
      ? null
      : String(contentType).split(';')[0].trim().toLowerCase();
}

function isJsonMediaType(type) {
  return type === null || type === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]+\+json$/.test(type);
}

function thingIdOf(deviceId, tenantId) {
  var colon = deviceId.indexOf(':');
  if (colon >= 0) {
    return [deviceId.slice(0, colon), deviceId.slice(colon + 1)];
  }
  if (tenantId === undefined || tenantId === '') {
    throw new Error('device_id ' + JSON.stringify(deviceId)
        + ' has no namespace (<namespace>:<name>) and there is no tenant_id header to use instead');
  }
  return [tenantId, deviceId];
}

function mapToDittoProtocolMsg(headers, textPayload, bytePayload, contentType) {
  var type = mediaType(contentType === null || contentType === undefined ? headers['content-type'] : contentType);
  if (type === EMPTY_NOTIFICATION_CONTENT_TYPE) {
    return null;
  }
  var deviceId = headers['device_id'];
  if (deviceId === undefined || deviceId === '') {
    throw new Error('no device_id header: expected a Hono telemetry or event message');
  }
  if (!isJsonMediaType(type)) {
    throw new Error('device ' + deviceId + ' sent content-type ' + JSON.stringify(type)
        + '; this mapping reads JSON only (application/json or */*+json)');
  }
  var thingId = thingIdOf(deviceId, headers['tenant_id']);

  var text = textPayload;
  if (text === null || text === undefined) {
    text = bytePayload === null || bytePayload === undefined ? '' : decodeUtf8(Ditto.arrayBufferToString(bytePayload));
  }
  var body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error('device ' + deviceId + ' sent a body that is not valid JSON: ' + e.message);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('device ' + deviceId + ' sent ' + (Array.isArray(body) ? 'an array' : JSON.stringify(body))
        + '; feature properties must be a JSON object');
  }

  return Ditto.buildDittoProtocolMsg(thingId[0], thingId[1], 'things', 'twin', 'commands', 'modify',
      '/features/' + FEATURE_ID + '/properties', {}, body);
}
