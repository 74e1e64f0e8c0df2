<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Gemeentegrenzen (CBS, vereenvoudigd) met naam.
     QGIS 3.22 style; ${veld} is replaced by the classification field, ${aliases} by Dutch field aliases. -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling|Fields" labelsEnabled="1">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option type="QString" name="border_width_map_unit_scale" value="3x:0,0,0,0,0,0"/>
            <Option type="QString" name="color" value="0,0,0,0"/>
            <Option type="QString" name="joinstyle" value="bevel"/>
            <Option type="QString" name="offset" value="0,0"/>
            <Option type="QString" name="offset_unit" value="MM"/>
            <Option type="QString" name="outline_color" value="115,115,115,255"/>
            <Option type="QString" name="outline_style" value="solid"/>
            <Option type="QString" name="outline_width" value="0.35"/>
            <Option type="QString" name="outline_width_unit" value="MM"/>
            <Option type="QString" name="style" value="no"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
    <rotation/>
    <sizescale/>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="gemeente_naam" isExpression="0" fontFamily="DejaVu Sans" namedStyle="Book" fontWeight="50" fontItalic="1" fontSize="8" fontSizeUnit="Point" textColor="82,82,82,255" textOpacity="1">
        <text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128"/>
      </text-style>
      <text-format multilineAlign="3" wrapChar="" autoWrapLength="0"/>
      <placement placement="1" polygonPlacementFlags="2" placementFlags="10" priority="5" fitInPolygonOnly="0" centroidWhole="0" centroidInside="1"/>
      <rendering drawLabels="1" obstacle="1" obstacleType="1" labelPerPart="0" mergeLines="0" displayAll="0" scaleVisibility="1" scaleMin="0" scaleMax="400000" upsidedownLabels="0" limitNumLabels="0" maxNumLabels="2000" minFeatureSize="0"/>
    </settings>
  </labeling>
  <aliases>
${aliases}  </aliases>
</qgis>
