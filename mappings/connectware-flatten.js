// Outgoing mapping (seed 002, Cybus Connectware -> AWS IoT): the Connectware example's JSONata
// "flatten" transform, applied to Ditto twin events instead of MQTT messages.
//
// Connectware's rule turns {"DeviceData": {"Temperature": t, "Position": {"X": x, "Y": y, "Z": z}}}
// into {"deviceId", "timestamp", "temperature", "position_x", "position_y", "position_z"}. Here the
// device data lives in the twin's feature DEVICE_DATA_FEATURE:
//   features/DeviceData/properties = {"Temperature": t, "Position": {"X": x, "Y": y, "Z": z}}
// and every twin event that carries any of those values (whatever its path: /, /features,
// /features/DeviceData, /features/DeviceData/properties or deeper, e.g. .../properties/Position/X)
// becomes one flat record:
//   {"deviceId": "<namespace>:<name>", "timestamp": "<event timestamp>", "temperature": t,
//    "position_x": x, "position_y": y, "position_z": z}
//
// Differences from the seed, on purpose:
// - deviceId is the thing id (the seed hard-codes "TestDeviceEdge" for its one device);
// - timestamp is the event's own `timestamp` (when the twin changed), not $now() (when the mapping
//   ran), so replays produce identical records; an event without timestamp gets no timestamp field.
// Like JSONata, a value the event does not carry is left out of the record (a merge that only
// changed Position.X yields deviceId, timestamp and position_x); a value the event sets to null
// (merge-patch deletion) is kept as null.
// Events that carry none of the values (other features, attributes, deletions) are dropped (null).
//
// Output: text JSON record, content-type application/json, `http.path`
//   <namespace>:<name>:devicedata:<revision>.json
// so an HTTP/S3 target stores one record per event (like the seed 000 key scheme).

// ---- options ---------------------------------------------------------------------------------
var DEVICE_DATA_FEATURE = 'DeviceData';
// ------------------------------------------------------------------------------------------------

// The Position/Temperature fields of the flat record, by their JSON pointer under the feature's properties.
var FLAT_FIELDS = [
  ['temperature', ['Temperature']],
  ['position_x', ['Position', 'X']],
  ['position_y', ['Position', 'Y']],
  ['position_z', ['Position', 'Z']]
];

function hasOwn(object, key) {
  return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
}

// Unescape one JSON-pointer segment (RFC 6901: ~1 is '/', ~0 is '~').
function pointerSegment(segment) {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

// Rebuild the thing-shaped document the event describes: the event's value placed at its path,
// e.g. path /features/DeviceData/properties/Position with value {"X": 1} -> {features: {DeviceData:
// {properties: {Position: {X: 1}}}}}. Then one lookup works for every event path.
function thingDocument(path, value) {
  var segments = path === '/' || path === '' ? [] : path.split('/').slice(1).map(pointerSegment);
  var document = value;
  for (var i = segments.length - 1; i >= 0; i--) {
    var parent = {};
    parent[segments[i]] = document;
    document = parent;
  }
  return document;
}

// The value at keys below `object`, or undefined when a level is missing.
function lookup(object, keys) {
  var current = object;
  for (var i = 0; i < keys.length; i++) {
    if (!hasOwn(current, keys[i])) {
      return undefined;
    }
    current = current[keys[i]];
  }
  return current;
}

function mapFromDittoProtocolMsgWrapper(msg) {
  var parts = msg.topic.split('/');
  var isTwinEvent = parts.length === 6 && parts[2] === 'things' && parts[3] === 'twin' && parts[4] === 'events';
  if (!isTwinEvent || parts[5] === 'deleted' || msg.value === undefined) {
    return null;
  }
  var properties = lookup(thingDocument(msg.path, msg.value), ['features', DEVICE_DATA_FEATURE, 'properties']);
  if (properties === undefined || properties === null || typeof properties !== 'object') {
    return null;
  }

  var record = {deviceId: parts[0] + ':' + parts[1]};
  if (msg.timestamp !== undefined) {
    record.timestamp = msg.timestamp;
  }
  var carried = 0;
  for (var i = 0; i < FLAT_FIELDS.length; i++) {
    var fieldValue = lookup(properties, FLAT_FIELDS[i][1]);
    if (fieldValue !== undefined) {
      record[FLAT_FIELDS[i][0]] = fieldValue;
      carried++;
    }
  }
  if (carried === 0) {
    return null;
  }
  var key = parts[0] + ':' + parts[1] + ':devicedata:' + msg.revision + '.json';
  return Ditto.buildExternalMsg({'http.path': key}, JSON.stringify(record), null, 'application/json');
}
