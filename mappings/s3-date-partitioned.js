// Outgoing mapping: one S3 object per twin event, partitioned by thing and by the event's date (UTC),
// so that a day of one thing's history is one prefix listing.
//
//   key   <namespace>/<name>/<yyyy>/<mm>/<dd>/<revision>-<action>.json
//         e.g. com.acme/coffee-brewer/2021/01/18/42-modified.json
//   body  the whole Ditto Protocol event as JSON (like the seed script), content-type application/json
//
// The date is the event's `timestamp` (ISO-8601) converted to UTC: an event stamped
// 2021-01-19T00:30:00+02:00 lands in 2021/01/18. Thing names keep their characters in the key
// (spaces, `$ + = @ ~ :`, non-Latin letters); the publisher percent-encodes them. Names cannot
// contain `/`, so `<namespace>/<name>/` is always exactly two key levels.
//
// Defined behaviour for unusual events:
// - no `timestamp` (Ditto can be configured to leave it out): the date levels are replaced by the
//   single level `undated`, e.g. com.acme/coffee-brewer/undated/42-modified.json, so such objects
//   are easy to find and never mixed into a real day;
// - a `timestamp` that is not ISO-8601, or no numeric `revision`: the mapping throws (the key would
//   be wrong or collide), and the event shows up as a mapping error;
// - anything but a twin event (`<ns>/<name>/things/twin/events/<action>`): throws; subscribe the
//   target to `_/_/things/twin/events` only;
// - an empty namespace (thing id `:name`) is written as `_`, so keys never start with `/`.

var UNDATED_PARTITION = 'undated';
var EMPTY_NAMESPACE_PARTITION = '_';

var ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

function pad2(n) {
  return (n < 10 ? '0' : '') + n;
}

// The UTC calendar date [yyyy, mm, dd] of an ISO-8601 timestamp. Parsed by hand instead of with
// Date.parse: Ditto writes up to nanosecond fractions, which not every JavaScript engine accepts.
function utcDateParts(timestamp) {
  var m = ISO_8601.exec(timestamp);
  if (m === null) {
    throw new Error('event timestamp ' + JSON.stringify(timestamp) + ' is not an ISO-8601 date-time');
  }
  var offsetMinutes = 0;
  if (m[7] !== 'Z' && m[7] !== 'z') {
    var sign = m[7].charAt(0) === '-' ? -1 : 1;
    var digits = m[7].slice(1).replace(':', '');
    offsetMinutes = sign * (parseInt(digits.slice(0, 2), 10) * 60 + parseInt(digits.slice(2) || '0', 10));
  }
  var local = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  var utc = new Date(local - offsetMinutes * 60000);
  if (isNaN(utc.getTime())) {
    throw new Error('event timestamp ' + JSON.stringify(timestamp) + ' is not a valid date');
  }
  return [String(utc.getUTCFullYear()), pad2(utc.getUTCMonth() + 1), pad2(utc.getUTCDate())];
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
  var namespace = parts[0] === '' ? EMPTY_NAMESPACE_PARTITION : parts[0];
  var name = parts[1];
  var action = parts[5];

  var datePartition = msg.timestamp === undefined || msg.timestamp === null
      ? UNDATED_PARTITION
      : utcDateParts(msg.timestamp).join('/');
  var key = namespace + '/' + name + '/' + datePartition + '/' + msg.revision + '-' + action + '.json';

  return Ditto.buildExternalMsg({'http.path': key}, JSON.stringify(msg), null, 'application/json');
}
