// Ditto's default incoming templates. A user script that declares a function of the same
// name replaces it (later global declarations win), exactly as in Ditto.

function mapToDittoProtocolMsgWrapper(externalMsg) {
  return mapToDittoProtocolMsg(externalMsg.headers, externalMsg.textPayload, externalMsg.bytePayload,
    externalMsg.contentType);
}

// Ditto Protocol text is parsed as JSON; octet-stream bytes are read as a (Latin-1) JSON string and
// dropped when they are not JSON; anything else is dropped.
function mapToDittoProtocolMsg(headers, textPayload, bytePayload, contentType) {
  if (contentType === 'application/vnd.eclipse.ditto+json') {
    return JSON.parse(textPayload);
  }
  if (contentType === 'application/octet-stream') {
    try {
      return JSON.parse(Ditto.arrayBufferToString(bytePayload));
    } catch (e) {
      return null;
    }
  }
  return null;
}
