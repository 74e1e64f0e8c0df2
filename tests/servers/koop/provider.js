// A Koop provider serving local GeoJSON files (written for these tests; no filtering of its own).
const fs = require('fs');

const layers = JSON.parse(fs.readFileSync(process.env.KOOP_LAYERS, 'utf8'));

class Model {
  async getData(req) {
    const layer = layers[req.params.id];
    if (!layer) {
      const error = new Error(`unknown layer ${req.params.id}`);
      error.code = 404;
      throw error;
    }
    const geojson = JSON.parse(fs.readFileSync(layer.data, 'utf8'));
    geojson.metadata = {
      name: layer.name || req.params.id,
      idField: layer.idField,
      maxRecordCount: layer.maxRecordCount,
      geometryType: layer.geometryType || 'Polygon',
      crs: layer.crs || 28992,
    };
    return geojson;
  }
}

module.exports = {
  type: 'provider',
  name: 'file',
  version: '1.0.0',
  hosts: false,
  disableIdParam: false,
  Model,
};
