// Ditto's default outgoing templates. A user script that declares a function of the same
// name replaces it (later global declarations win), exactly as in Ditto.

// Splits the topic and calls mapFromDittoProtocolMsg with Ditto's 11 arguments.
// revision and timestamp are not passed on: override this wrapper to use them.
function mapFromDittoProtocolMsgWrapper(dittoProtocolMsg) {
  const parts = dittoProtocolMsg.topic.split('/');
  // Only the 'things' group has a channel segment in its topic.
  const hasChannel = parts[2] === 'things';
  const channel = hasChannel ? parts[3] : 'none';
  const criterion = hasChannel ? parts[4] : parts[3];
  const action = hasChannel ? parts[5] : parts[4];
  return mapFromDittoProtocolMsg(parts[0], parts[1], parts[2], channel, criterion, action,
    dittoProtocolMsg.path, dittoProtocolMsg.headers, dittoProtocolMsg.value,
    dittoProtocolMsg.status, dittoProtocolMsg.extra);
}

// Sends the message on as Ditto Protocol JSON with the Ditto headers.
function mapFromDittoProtocolMsg(namespace, name, group, channel, criterion, action, path,
                                 dittoHeaders, value, status, extra) {
  const envelope = Ditto.buildDittoProtocolMsg(namespace, name, group, channel, criterion, action,
    path, dittoHeaders, value, status, extra);
  return Ditto.buildExternalMsg(dittoHeaders, JSON.stringify(envelope), null,
    'application/vnd.eclipse.ditto+json');
}
