// Koop on 127.0.0.1:$KOOP_PORT serving the GeoJSON files listed in $KOOP_LAYERS ({id: {data, idField,
// maxRecordCount, name}}) as ArcGIS FeatureServers: /file/rest/services/<id>/FeatureServer/0.
// The provider hands Koop the whole file; Koop's GeoServices output (FeatureServer + winnow) does the
// querying: where, geometry envelope + inSR, orderByFields, resultOffset/resultRecordCount,
// exceededTransferLimit, outSR, f=json / f=geojson.
const Koop = require('@koopjs/koop-core');
const provider = require('./provider');

const koop = new Koop({ logLevel: 'error' });
koop.register(provider);
const port = Number(process.env.KOOP_PORT || 8080);
koop.server.listen(port, '127.0.0.1', () => console.log(`koop listening on 127.0.0.1:${port}`));
